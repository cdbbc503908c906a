// Sealed search sketches (src/verification/dedup/templates.ts): `sketch` holds each face's 1024-bit sketch sealed
// (157 bytes), so a process start reads and opens those instead of every 4 KB template. Like 0070 this migration
// cannot seal (the document encryption key is not the database's): existing rows keep sketch = null and the
// dedup index backfills them from their sealed templates as it loads them, in batches, writing each sealed sketch
// back (once per row, on whichever process loads it first).
import type { Migration } from '../src/db/migrate.js';

export const faceSketchesSealed: Migration = {
  name: '20261202_0090_face_sketches_sealed',
  async up(knex) {
    await knex.schema.alterTable('face_embeddings', (t) => {
      t.binary('sketch');
    });
  },
  async down(knex) {
    await knex.schema.alterTable('face_embeddings', (t) => {
      t.dropColumn('sketch');
    });
  },
};
