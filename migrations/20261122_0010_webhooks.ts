// Webhooks: endpoints, the transactional outbox (events), one delivery per (event, endpoint), the attempt log,
// and which assurance expiries have been announced.
import type { Migration } from '../src/db/migrate.js';

export const webhooks: Migration = {
  name: '20261122_0010_webhooks',
  async up(knex) {
    await knex.schema.createTable('webhook_endpoints', (t) => {
      t.text('id').primary();
      t.text('tenant_id').notNullable().references('tenants.id').onDelete('cascade');
      t.text('url').notNullable();
      t.text('description');
      t.jsonb('events').notNullable();
      t.boolean('enabled').notNullable().defaultTo(true);
      t.text('disabled_reason');
      // AES-256-GCM ciphertexts: HMAC signing needs the plaintext, so a hash won't do.
      t.text('secret_enc').notNullable();
      t.text('previous_secret_enc');
      t.timestamp('previous_secret_expires_at', { useTz: true });
      // Start of the current run of failed attempts; null after a success.
      t.timestamp('failing_since', { useTz: true });
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('updated_at', { useTz: true }).notNullable();
      t.index(['tenant_id']);
    });

    // The outbox: written in the transaction of the state change; the relay fans rows out to deliveries.
    await knex.schema.createTable('webhook_events', (t) => {
      t.text('id').primary();
      t.text('tenant_id').notNullable().references('tenants.id').onDelete('cascade');
      t.text('type').notNullable();
      t.jsonb('data').notNullable();
      // Set for events meant for one endpoint only (webhook.test).
      t.text('endpoint_id');
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('relayed_at', { useTz: true });
      t.index(['tenant_id', 'created_at']);
    });
    await knex.raw('create index webhook_events_unrelayed on webhook_events (created_at) where relayed_at is null');

    await knex.schema.createTable('webhook_deliveries', (t) => {
      // Deterministic from (event, endpoint) and sent as `webhook-id`, so it is stable across retries.
      t.text('id').primary();
      t.text('event_id').notNullable().references('webhook_events.id').onDelete('cascade');
      t.text('endpoint_id').notNullable().references('webhook_endpoints.id').onDelete('cascade');
      t.text('tenant_id').notNullable();
      t.text('status').notNullable();
      t.integer('attempts').notNullable().defaultTo(0);
      t.timestamp('next_attempt_at', { useTz: true });
      // Lease of the in-process (no Redis) queue.
      t.timestamp('locked_until', { useTz: true });
      t.integer('last_status_code');
      t.text('last_error');
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('delivered_at', { useTz: true });
      t.unique(['event_id', 'endpoint_id']);
      t.index(['endpoint_id']);
    });
    await knex.raw(`alter table webhook_deliveries add constraint webhook_deliveries_status_check
      check (status in ('pending','delivered','failed','cancelled'))`);
    await knex.raw(`create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending'`);

    await knex.schema.createTable('webhook_attempts', (t) => {
      t.bigIncrements('id').primary();
      t.text('tenant_id').notNullable();
      t.text('endpoint_id').notNullable().references('webhook_endpoints.id').onDelete('cascade');
      t.text('delivery_id').references('webhook_deliveries.id').onDelete('cascade');
      t.text('event_id');
      // 'attempt' or 'webhook.endpoint.disabled'.
      t.text('kind').notNullable();
      t.integer('attempt');
      t.integer('status_code');
      t.integer('latency_ms');
      t.text('error');
      t.timestamp('next_retry_at', { useTz: true });
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.index(['endpoint_id', 'id']);
    });

    // One row per announced expiry; a renewed verification has a new expires_at and is announced again.
    await knex.schema.createTable('assurance_expiry_notices', (t) => {
      t.text('person_id').notNullable().references('persons.id').onDelete('cascade');
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.timestamp('announced_at', { useTz: true }).notNullable();
      t.primary(['person_id', 'expires_at']);
    });
    await knex.raw(`create index assurance_expires_at on assurance (expires_at) where status = 'verified'`);
  },
  async down(knex) {
    await knex.raw('drop index if exists assurance_expires_at');
    for (const table of ['assurance_expiry_notices', 'webhook_attempts', 'webhook_deliveries', 'webhook_events', 'webhook_endpoints']) {
      await knex.schema.dropTableIfExists(table);
    }
  },
};
