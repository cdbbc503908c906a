// Verification cases, their uploaded files (encrypted on disk; rows hold only paths and metadata) and the
// registry of verified documents (HMAC fingerprints) that keeps one document from backing two identities.
import type { Migration } from '../src/db/migrate.js';

export const verification: Migration = {
  name: '20261122_0020_verification',
  async up(knex) {
    await knex.schema.createTable('verification_cases', (t) => {
      t.text('id').primary();
      t.text('tenant_id').notNullable().references('tenants.id').onDelete('cascade');
      t.text('person_id').notNullable().references('persons.id').onDelete('cascade');
      // The tenant's pairwise subject for the person (what the API calls person_id).
      t.text('sub').notNullable();
      t.text('level').notNullable();
      t.text('status').notNullable();
      t.text('idempotency_key');
      t.text('request_hash');
      // Active-liveness challenge issued for this case (list of head-turn steps).
      t.jsonb('challenge');
      t.timestamp('challenge_issued_at', { useTz: true });
      // What the document analysis returned, safe to show the tenant (document number masked).
      t.jsonb('extraction');
      // Full extraction (names, dates, raw number) and upload options, AES-256-GCM sealed; wiped by retention.
      t.text('private_enc');
      // HMAC of document type + issuing state + number; never the raw number.
      t.text('document_fingerprint');
      t.timestamp('uploaded_at', { useTz: true });
      t.jsonb('decision');
      t.text('outcome');
      t.text('risk_level');
      t.boolean('human_verified').notNullable().defaultTo(false);
      t.timestamp('decided_at', { useTz: true });
      t.jsonb('review');
      t.timestamp('reviewed_at', { useTz: true });
      // Set when the retention sweeper removed the uploaded files and the sealed extraction.
      t.timestamp('purged_at', { useTz: true });
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('updated_at', { useTz: true }).notNullable();
      t.unique(['tenant_id', 'idempotency_key']);
      t.index(['tenant_id', 'created_at', 'id']);
      t.index(['person_id']);
    });
    await knex.raw(`alter table verification_cases add constraint verification_cases_level_check
      check (level in ('t1','t2','t3'))`);
    await knex.raw(`alter table verification_cases add constraint verification_cases_status_check
      check (status in ('open','manual_review','approved','rejected'))`);
    await knex.raw(`create index verification_cases_retention on verification_cases (decided_at) where purged_at is null`);

    await knex.schema.createTable('verification_files', (t) => {
      t.text('id').primary();
      t.text('case_id').notNullable().references('verification_cases.id').onDelete('cascade');
      // document | document_back | selfie | frame
      t.text('kind').notNullable();
      t.integer('seq').notNullable().defaultTo(0);
      // Path relative to DATA_DIR/uploads; the file holds IV + GCM tag + ciphertext.
      t.text('storage_path').notNullable();
      t.text('content_type').notNullable();
      t.integer('bytes').notNullable();
      t.integer('width').notNullable();
      t.integer('height').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.index(['case_id']);
    });

    // One row per document that backs a verified identity.
    await knex.schema.createTable('verified_documents', (t) => {
      t.text('fingerprint').primary();
      t.text('person_id').notNullable().references('persons.id').onDelete('cascade');
      t.text('case_id').notNullable();
      t.timestamp('verified_at', { useTz: true }).notNullable();
      t.index(['person_id']);
    });
  },
  async down(knex) {
    for (const table of ['verified_documents', 'verification_files', 'verification_cases']) {
      await knex.schema.dropTableIfExists(table);
    }
  },
};
