// Staff roles (console/), the review queue's claims and every reviewer's decision (review/).
// A staff member is a KYCPort person account with one or more roles: operator roles have no tenant, tenant
// roles name theirs. Decisions are kept (who, when, outcome, reason code, sealed note) for the four-eyes rule
// and as the record of a human decision; notes are sealed because they describe a person.
import type { Migration } from '../src/db/migrate.js';

export const consoleStaff: Migration = {
  name: '20261203_console_0001_staff',
  async up(knex) {
    await knex.schema.createTable('staff_roles', (t) => {
      t.text('id').primary();
      t.text('person_id').notNullable().references('persons.id').onDelete('cascade');
      t.text('role').notNullable();
      // '' for operator roles: a unique key over a nullable column would let duplicates through.
      t.text('tenant_id').notNullable().defaultTo('');
      t.text('granted_by');
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.unique(['person_id', 'role', 'tenant_id']);
    });
    await knex.schema.createTable('review_claims', (t) => {
      t.text('case_id').primary().references('verification_cases.id').onDelete('cascade');
      t.text('reviewer_id').notNullable().references('persons.id').onDelete('cascade');
      t.timestamp('claimed_at', { useTz: true }).notNullable();
      t.timestamp('expires_at', { useTz: true }).notNullable();
    });
    await knex.schema.createTable('review_decisions', (t) => {
      t.text('id').primary();
      t.text('case_id').notNullable().references('verification_cases.id').onDelete('cascade');
      // Kept when the account goes: the record names who decided (no FK cascade).
      t.text('reviewer_id').notNullable();
      t.text('outcome').notNullable();
      t.text('reason_code').notNullable();
      t.text('note_enc').notNullable();
      // false: a first t3 approval waiting for a second reviewer; true: the decision applied to the case.
      t.boolean('final').notNullable();
      t.timestamp('decided_at', { useTz: true }).notNullable();
      t.index(['case_id', 'decided_at']);
    });
  },
};
