// API-key scopes (http/scopes.ts), stored space-separated like an OAuth scope string. Existing keys keep every
// scope they had in practice: all four.
import type { Migration } from '../src/db/migrate.js';

const ALL = 'status:read cases:write sessions:write webhooks:manage';

export const apiKeyScopes: Migration = {
  name: '20261203_tenants_0001_api_key_scopes',
  async up(knex) {
    await knex.schema.alterTable('api_keys', (t) => {
      t.text('scopes').notNullable().defaultTo(ALL);
    });
  },
  async down(knex) {
    await knex.schema.alterTable('api_keys', (t) => {
      t.dropColumn('scopes');
    });
  },
};
