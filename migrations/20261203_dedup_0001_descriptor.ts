// Which face descriptor made each template. Descriptors of different models (or of one model with another
// alignment or normalisation) are not comparable, so the 1:N index searches only the templates of the descriptor
// the engine runs now, and the centring mean is fixed per descriptor. Rows enrolled before this migration were
// all made by Human's faceres, flip-averaged.
import type { Migration } from '../src/db/migrate.js';

const LEGACY = 'human-faceres+flip';

export const dedupDescriptor: Migration = {
  name: '20261203_dedup_0001_descriptor',
  async up(knex) {
    await knex.raw(`alter table face_embeddings add column descriptor text not null default '${LEGACY}'`);
    await knex.raw('alter table face_embeddings alter column descriptor drop default');
    await knex.raw(`alter table face_dedup_mean add column descriptor text not null default '${LEGACY}'`);
    await knex.raw('alter table face_dedup_mean alter column descriptor drop default');
    await knex.raw('alter table face_dedup_mean drop constraint face_dedup_mean_pkey');
    await knex.raw('alter table face_dedup_mean drop column id');
    await knex.raw('alter table face_dedup_mean add primary key (descriptor)');
  },
  async down(knex) {
    await knex.raw(`delete from face_dedup_mean where descriptor <> '${LEGACY}'`);
    await knex.raw('alter table face_dedup_mean drop constraint face_dedup_mean_pkey');
    await knex.raw('alter table face_dedup_mean drop column descriptor');
    await knex.raw(`alter table face_dedup_mean add column id smallint not null default 1 check (id = 1) primary key`);
    await knex.raw('alter table face_embeddings drop column descriptor');
  },
};
