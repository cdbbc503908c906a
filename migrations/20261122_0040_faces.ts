// Face embeddings of approved persons for 1:N duplicate search. With pgvector (PGlite, or Postgres with the
// extension) the embedding is a vector(1024) with an HNSW cosine index; without it a real[] that each server
// process loads into an in-process usearch HNSW index (src/verification/dedup/).
import type { Migration } from '../src/db/migrate.js';

/** faceres descriptor length (src/verification/engine/face). */
const DIM = 1024;

export const faces: Migration = {
  name: '20261122_0040_faces',
  async up(knex, { hasVector }) {
    await knex.schema.createTable('face_embeddings', (t) => {
      // Monotonic id = the in-process indexes' high-water mark for catching up on other processes' enrollments.
      t.bigIncrements('id').primary();
      // Deleting a person deletes their biometrics.
      t.text('person_id').notNullable().references('persons.id').onDelete('cascade');
      // No foreign key: case rows may be purged by retention while the enrollment of an approved person stays.
      t.text('case_id');
      t.specificType('embedding', hasVector ? `vector(${DIM})` : 'real[]').notNullable();
      t.timestamp('enrolled_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.index(['person_id']);
    });
    if (hasVector) {
      await knex.raw('create index face_embeddings_hnsw on face_embeddings using hnsw (embedding vector_cosine_ops)');
    }
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('face_embeddings');
  },
};
