// Test mode (issue 14 §6): keys and clients are live or test, and everything a test key makes is marked test, so
// test data never changes live assurance and a key of one mode never sees the other's objects. Existing rows are
// live. A test assurance is the tenant's own (tenant, person), never the person's reusable one.
import type { Migration } from '../src/db/migrate.js';

const MARKED = ['api_keys', 'oidc_clients', 'verification_cases', 'verification_sessions', 'webhook_events', 'webhook_endpoints'] as const;

export const sandboxLivemode: Migration = {
  name: '20261203_sandbox_0001_livemode',
  async up(knex) {
    for (const table of MARKED) {
      await knex.schema.alterTable(table, (t) => {
        t.boolean('livemode').notNullable().defaultTo(true);
      });
    }
    // An Idempotency-Key is the caller's per mode: a test request never replays (or blocks) a live one.
    for (const table of ['verification_cases', 'verification_sessions']) {
      await knex.schema.alterTable(table, (t) => {
        t.dropUnique(['tenant_id', 'idempotency_key']);
        t.unique(['tenant_id', 'livemode', 'idempotency_key']);
      });
    }
    await knex.raw('drop index verification_sessions_open');
    await knex.raw(`create unique index verification_sessions_open on verification_sessions (tenant_id, livemode, external_user_id, level)
      where external_user_id is not null and status in ('created', 'in_progress', 'resubmission_requested', 'processing')`);
    await knex.schema.createTable('test_assurance', (t) => {
      t.text('tenant_id').notNullable().references('tenants.id').onDelete('cascade');
      t.text('person_id').notNullable().references('persons.id').onDelete('cascade');
      t.text('status').notNullable().defaultTo('unverified');
      t.text('tier').notNullable().defaultTo('t0');
      t.boolean('aml_clear');
      t.timestamp('verified_at', { useTz: true });
      t.timestamp('expires_at', { useTz: true });
      t.text('verification_method');
      t.timestamp('screened_at', { useTz: true });
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.primary(['tenant_id', 'person_id']);
    });
    await knex.raw(`alter table test_assurance add constraint test_assurance_status_check
      check (status in ('verified','pending','rejected','unverified','expired'))`);
    await knex.raw(`alter table test_assurance add constraint test_assurance_tier_check check (tier in ('t0','t1','t2','t3'))`);
  },
  async down(knex) {
    await knex.schema.dropTable('test_assurance');
    for (const table of ['verification_cases', 'verification_sessions']) {
      await knex.schema.alterTable(table, (t) => {
        t.dropUnique(['tenant_id', 'livemode', 'idempotency_key']);
        t.unique(['tenant_id', 'idempotency_key']);
      });
    }
    for (const table of MARKED) {
      await knex.schema.alterTable(table, (t) => {
        t.dropColumn('livemode');
      });
    }
  },
};
