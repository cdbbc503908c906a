// A person's erasure (src/privacy/): their account goes at once, but the decision records of their verification
// cases stay, without biometrics, for the record-keeping period (RECORD_RETENTION_YEARS). So a case no longer
// follows its person's deletion (the foreign key goes; `person_id` becomes a dangling opaque id), and `erased_at`
// marks the cases whose person was erased: the clock of their retention. Withdrawing a tenant's access deletes
// its subject row; the trigger drops that person's cached status rows like an assurance change does, so the
// tenant's next lookup is a 404 in every process.
import type { Migration } from '../src/db/migrate.js';

export const erasure: Migration = {
  name: '20261202_account_0001_erasure',
  async up(knex) {
    await knex.schema.alterTable('verification_cases', (t) => {
      t.dropForeign(['person_id']);
      t.timestamp('erased_at', { useTz: true });
    });
    await knex.raw('create index verification_cases_erased on verification_cases (erased_at) where erased_at is not null');
    await knex.raw(`create trigger subjects_notify after delete on subjects for each row execute function kp_notify_assurance()`);
  },
  async down(knex) {
    await knex.raw('drop trigger if exists subjects_notify on subjects');
    await knex.raw('drop index if exists verification_cases_erased');
    await knex('verification_cases').whereNotNull('erased_at').delete();
    await knex.schema.alterTable('verification_cases', (t) => {
      t.dropColumn('erased_at');
      t.foreign('person_id').references('persons.id').onDelete('cascade');
    });
  },
};
