// Sanctions / PEP lists and their entries. A list is replaced as a whole on re-import (one transaction), so
// entries carry no history of their own; the list row records which file (sha256) they came from.
import type { Migration } from '../src/db/migrate.js';

export const screening: Migration = {
  name: '20261122_0030_screening',
  async up(knex) {
    await knex.schema.createTable('screening_lists', (t) => {
      t.text('id').primary();
      t.text('name').notNullable().unique();
      t.text('format').notNullable();
      t.text('source_file').notNullable();
      t.text('source_file_sha256').notNullable();
      t.timestamp('imported_at', { useTz: true }).notNullable();
      t.integer('entry_count').notNullable();
      t.integer('problem_count').notNullable().defaultTo(0);
      t.integer('skipped_count').notNullable().defaultTo(0);
      t.index(['source_file_sha256']);
    });

    await knex.schema.createTable('screening_entries', (t) => {
      t.bigIncrements('id').primary();
      t.text('list_id').notNullable().references('screening_lists.id').onDelete('cascade');
      t.text('source_id').notNullable();
      t.text('entity_type').notNullable();
      // names[0] is the primary name, then aliases; normalized_names is parallel to names.
      t.specificType('names', 'text[]').notNullable();
      t.specificType('normalized_names', 'text[]').notNullable();
      t.specificType('weak_aliases', 'text[]').notNullable().defaultTo('{}');
      // 'YYYY-MM-DD' | 'YYYY-MM' | 'YYYY'
      t.specificType('birth_dates', 'text[]').notNullable().defaultTo('{}');
      // ISO 3166-1 alpha-2
      t.specificType('nationalities', 'text[]').notNullable().defaultTo('{}');
      t.specificType('topics', 'text[]').notNullable().defaultTo('{}');
      t.specificType('programs', 'text[]').notNullable().defaultTo('{}');
      t.specificType('datasets', 'text[]').notNullable().defaultTo('{}');
      t.index(['list_id', 'id']);
    });
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('screening_entries');
    await knex.schema.dropTableIfExists('screening_lists');
  },
};
