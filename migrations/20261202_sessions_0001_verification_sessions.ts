// Hosted verification sessions (verification/sessions/), their single-use links (keyed hash only), the
// tenant-level redirect URIs a session may return to, and the tenant branding the hosted pages show.
import type { Migration } from '../src/db/migrate.js';

export const verificationSessions: Migration = {
  name: '20261202_sessions_0001_verification_sessions',
  async up(knex) {
    await knex.schema.createTable('verification_sessions', (t) => {
      t.text('id').primary();
      t.text('tenant_id').notNullable().references('tenants.id').onDelete('cascade');
      t.text('status').notNullable();
      t.text('level').notNullable();
      t.text('external_user_id');
      // Known once the person signs in on the hosted page: the internal id and the tenant's pairwise subject.
      t.text('person_id').references('persons.id').onDelete('set null');
      t.text('sub');
      t.text('redirect_uri').notNullable();
      // Step-up sessions go back to the sign-in interaction instead of the tenant's redirect_uri.
      t.text('return_to');
      t.jsonb('metadata');
      t.text('locale');
      t.text('case_id');
      // The hosted flow's choices and its captures so far (sealed files under DATA_DIR/uploads/<session id>/).
      t.text('document_type');
      t.text('issuing_country');
      t.jsonb('staged');
      t.integer('attempts').notNullable().defaultTo(0);
      t.text('outcome');
      t.jsonb('reasons');
      // Keyed hash of the secret in the cookie of the browser that opened the link.
      t.text('browser_hash');
      t.text('idempotency_key');
      t.text('request_hash');
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('updated_at', { useTz: true }).notNullable();
      t.unique(['tenant_id', 'idempotency_key']);
      t.index(['tenant_id', 'created_at', 'id']);
      t.index(['case_id']);
      t.index(['status', 'expires_at']);
    });
    // One open session per tenant, external user and level: the create's "create or resume" holds under races.
    await knex.raw(`create unique index verification_sessions_open on verification_sessions (tenant_id, external_user_id, level)
      where external_user_id is not null and status in ('created', 'in_progress', 'resubmission_requested', 'processing')`);
    await knex.raw(`alter table verification_sessions add constraint verification_sessions_status_check check (status in
      ('created','in_progress','processing','resubmission_requested','manual_review','verified','rejected','expired','canceled'))`);

    await knex.schema.createTable('verification_session_links', (t) => {
      t.text('token_hash').primary();
      t.text('session_id').notNullable().references('verification_sessions.id').onDelete('cascade');
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.timestamp('used_at', { useTz: true });
      t.index(['session_id']);
    });

    await knex.schema.createTable('tenant_redirect_uris', (t) => {
      t.text('tenant_id').notNullable().references('tenants.id').onDelete('cascade');
      t.text('uri').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.primary(['tenant_id', 'uri']);
    });

    await knex.schema.alterTable('tenants', (t) => {
      t.text('display_name');
      t.text('accent_color');
      t.binary('logo');
      t.text('logo_type');
    });
  },
  async down(knex) {
    await knex.schema.alterTable('tenants', (t) => {
      t.dropColumns('display_name', 'accent_color', 'logo', 'logo_type');
    });
    await knex.schema.dropTableIfExists('tenant_redirect_uris');
    await knex.schema.dropTableIfExists('verification_session_links');
    await knex.schema.dropTableIfExists('verification_sessions');
  },
};
