// Tenants, OIDC clients, API keys, persons, pairwise subjects, assurance and oidc-provider artifacts.
import type { Migration } from '../src/db/migrate.js';

export const core: Migration = {
  name: '20261122_0001_core',
  async up(knex) {
    await knex.schema.createTable('tenants', (t) => {
      t.text('id').primary();
      t.text('name').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });

    await knex.schema.createTable('oidc_clients', (t) => {
      t.text('client_id').primary();
      t.text('tenant_id').notNullable().references('tenants.id').onDelete('cascade');
      // oidc-provider client metadata; client_secret inside is a hash ("sha256$…"), never the secret.
      t.jsonb('metadata').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.index(['tenant_id']);
    });

    await knex.schema.createTable('api_keys', (t) => {
      t.text('id').primary();
      t.text('tenant_id').notNullable().references('tenants.id').onDelete('cascade');
      t.text('name');
      t.text('key_hash').notNullable().unique();
      t.text('last4').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.timestamp('revoked_at', { useTz: true });
      t.timestamp('last_used_at', { useTz: true });
      t.index(['tenant_id']);
    });

    await knex.schema.createTable('persons', (t) => {
      t.text('id').primary();
      t.text('email').notNullable();
      t.text('password_hash').notNullable();
      t.boolean('email_verified').notNullable().defaultTo(false);
      t.text('name');
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
    await knex.raw('create unique index persons_email_lower on persons (lower(email))');

    // The pairwise `sub` each tenant sees; the same value is that tenant's person_id in the API.
    await knex.schema.createTable('subjects', (t) => {
      t.text('tenant_id').notNullable().references('tenants.id').onDelete('cascade');
      t.text('person_id').notNullable().references('persons.id').onDelete('cascade');
      t.text('sub').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.primary(['tenant_id', 'sub']);
      t.unique(['tenant_id', 'person_id']);
    });

    await knex.schema.createTable('assurance', (t) => {
      t.text('person_id').primary().references('persons.id').onDelete('cascade');
      t.text('status').notNullable().defaultTo('unverified');
      t.text('tier').notNullable().defaultTo('t0');
      t.boolean('aml_clear');
      t.timestamp('verified_at', { useTz: true });
      t.timestamp('expires_at', { useTz: true });
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
    await knex.raw(`alter table assurance add constraint assurance_status_check
      check (status in ('verified','pending','rejected','unverified','expired'))`);
    await knex.raw(`alter table assurance add constraint assurance_tier_check check (tier in ('t0','t1','t2','t3'))`);

    await knex.schema.createTable('oidc_payloads', (t) => {
      t.text('type').notNullable();
      t.text('id').notNullable();
      t.jsonb('payload').notNullable();
      t.text('grant_id');
      t.text('user_code');
      t.text('uid');
      t.timestamp('expires_at', { useTz: true });
      t.timestamp('consumed_at', { useTz: true });
      t.primary(['type', 'id']);
      t.index(['grant_id']);
      t.index(['uid']);
      t.index(['expires_at']);
    });

    // Fixed-window counters for rate limits when Redis is not configured.
    await knex.schema.createTable('rate_limits', (t) => {
      t.text('key').primary();
      t.integer('count').notNullable();
      t.timestamp('reset_at', { useTz: true }).notNullable();
      t.index(['reset_at']);
    });
  },
  async down(knex) {
    for (const table of ['rate_limits', 'oidc_payloads', 'assurance', 'subjects', 'persons', 'api_keys', 'oidc_clients', 'tenants']) {
      await knex.schema.dropTableIfExists(table);
    }
  },
};
