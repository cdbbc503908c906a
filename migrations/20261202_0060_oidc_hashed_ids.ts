// oidc-provider artifacts are stored under keyed hashes of their ids with sealed payloads (src/oidc/adapters/
// artifacts.ts). Rows written before held token values as ids and in plain JSON; the hashing key is not available
// to a migration, so they are dropped rather than rehashed: every session, grant, code and token of the old
// release ends, and persons sign in again (relying parties see invalid_grant on a refresh). The payload becomes
// text (base64 of the sealed blob). Sessions and grants name their account in `account_id` (a person id, not a
// secret), so a password reset can find and end them without reading every sealed payload.
import type { Migration } from '../src/db/migrate.js';

export const oidcHashedIds: Migration = {
  name: '20261202_0060_oidc_hashed_ids',
  async up(knex) {
    await knex('oidc_payloads').delete();
    await knex.raw('alter table oidc_payloads alter column payload type text using payload::text');
    await knex.schema.alterTable('oidc_payloads', (t) => {
      t.index(['user_code']);
      t.text('account_id');
    });
    await knex.raw(`create index oidc_payloads_account on oidc_payloads (account_id) where account_id is not null`);
  },
  async down(knex) {
    await knex('oidc_payloads').delete();
    await knex.raw('drop index if exists oidc_payloads_account');
    await knex.schema.alterTable('oidc_payloads', (t) => {
      t.dropIndex(['user_code']);
      t.dropColumn('account_id');
    });
    await knex.raw('alter table oidc_payloads alter column payload type jsonb using payload::jsonb');
  },
};
