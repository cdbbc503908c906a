// Provenance of a verified assurance (issue 12 §4, src/assurance/provenance.ts): how it was reached (`auto` by the
// engine, `human` by a reviewer) and when screening ran, as columns the status lookup reads with the row; the
// case, the checks and the document as JSON; the person's claims from the document sealed (AES-GCM, bound to the
// person). Rows verified before this migration have no provenance: they read method null and no verified_claims
// until the person's next approval.
import type { Migration } from '../src/db/migrate.js';

export const assuranceProvenance: Migration = {
  name: '20261203_assurance_0001_provenance',
  async up(knex) {
    await knex.schema.alterTable('assurance', (t) => {
      t.text('verification_method');
      t.timestamp('screened_at', { useTz: true });
      t.jsonb('provenance');
      t.text('claims_enc');
    });
    await knex.raw(`alter table assurance add constraint assurance_verification_method_check check (verification_method in ('auto','human'))`);
  },
  async down(knex) {
    await knex.raw('alter table assurance drop constraint if exists assurance_verification_method_check');
    await knex.schema.alterTable('assurance', (t) => {
      t.dropColumn('verification_method');
      t.dropColumn('screened_at');
      t.dropColumn('provenance');
      t.dropColumn('claims_enc');
    });
  },
};
