// Compact sketches for the in-process 1:N index (Postgres without pgvector, src/verification/dedup/sketch-index.ts):
// a process loads 128 bytes per enrolled face at start instead of the 4 KB descriptor. Rows enrolled before this
// migration have no sketch; the index computes it from the embedding on load and stores it.
// face_dedup_mean holds the one centring mean every process sketches with, fixed from the first enrolled rows.
import type { Migration } from '../src/db/migrate.js';

export const faceSketches: Migration = {
  name: '20261122_0050_face_sketches',
  async up(knex) {
    await knex.schema.alterTable('face_embeddings', (t) => {
      t.binary('sketch');
    });
    await knex.schema.createTable('face_dedup_mean', (t) => {
      // A single row: the mean never changes once stored, or every stored sketch would have to be recomputed.
      t.smallint('id').primary().checkIn(['1']);
      t.specificType('mean', 'real[]').notNullable();
      t.integer('from_rows').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('face_dedup_mean');
    await knex.schema.alterTable('face_embeddings', (t) => {
      t.dropColumn('sketch');
    });
  },
};
