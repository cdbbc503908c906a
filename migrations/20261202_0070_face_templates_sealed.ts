// Face templates sealed at rest (src/verification/dedup/templates.ts): `template` holds the sealed descriptor.
// Sealing needs the document encryption key, which a migration does not have, so existing plain descriptors stay
// in `embedding` (now nullable) until the server's dedup index seals them at its next start and clears the
// column. Stored sketches are dropped: 1024 sign bits of a face are a matchable template themselves; every
// process now rebuilds them in memory from the sealed templates. pgvector's index goes: it cannot search sealed
// data, and the in-process index serves every database.
import type { Migration } from '../src/db/migrate.js';

export const faceTemplatesSealed: Migration = {
  name: '20261202_0070_face_templates_sealed',
  async up(knex) {
    await knex.raw('drop index if exists face_embeddings_hnsw');
    await knex.raw('alter table face_embeddings alter column embedding drop not null');
    await knex.schema.alterTable('face_embeddings', (t) => {
      t.binary('template');
      t.dropColumn('sketch');
    });
  },
  async down(knex) {
    // Sealed templates cannot be opened here: rows without a plain descriptor are removed (persons re-enroll on
    // their next approved verification).
    await knex('face_embeddings').whereNull('embedding').delete();
    await knex.schema.alterTable('face_embeddings', (t) => {
      t.dropColumn('template');
      t.binary('sketch');
    });
    await knex.raw('alter table face_embeddings alter column embedding set not null');
  },
};
