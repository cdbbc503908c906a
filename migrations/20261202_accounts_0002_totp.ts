// Optional two-step sign-in (TOTP) for persons: the secret sealed with the instance's 'totp-secrets' key (bound to
// the person), when it was turned on (null while an enrolment waits for its first code), and the last time step
// accepted (a code is good once). Recovery codes are stored as keyed hashes, each usable once.
import type { Migration } from '../src/db/migrate.js';

export const totp: Migration = {
  name: '20261202_accounts_0002_totp',
  async up(knex) {
    await knex.schema.alterTable('persons', (t) => {
      t.text('totp_secret');
      t.timestamp('totp_enabled_at', { useTz: true });
      t.integer('totp_last_step');
    });
    await knex.schema.createTable('recovery_codes', (t) => {
      t.text('person_id').notNullable().references('persons.id').onDelete('cascade');
      t.text('code_hash').notNullable();
      t.timestamp('used_at', { useTz: true });
      t.primary(['person_id', 'code_hash']);
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('recovery_codes');
    await knex.schema.alterTable('persons', (t) => {
      t.dropColumn('totp_secret');
      t.dropColumn('totp_enabled_at');
      t.dropColumn('totp_last_step');
    });
  },
};
