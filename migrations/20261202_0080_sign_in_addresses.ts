// Addresses that signed in to an account (persons/sign-in-limits.ts): a keyed hash of account and address, so the
// table names neither, kept SIGN_IN_KNOWN_ADDRESS_DAYS after the last sign-in from there.
import type { Migration } from '../src/db/migrate.js';

export const signInAddresses: Migration = {
  name: '20261202_0080_sign_in_addresses',
  async up(knex) {
    await knex.schema.createTable('sign_in_addresses', (t) => {
      t.text('hash').primary();
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.index(['expires_at']);
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('sign_in_addresses');
  },
};
