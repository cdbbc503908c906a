// Retakes are not rejections (issue 13 §6): a case whose attempt failed only on capture problems waits in
// resubmission_requested for a new upload, and counts its decided attempts (at most three).
import type { Migration } from '../src/db/migrate.js';

export const caseRetakes: Migration = {
  name: '20261203_cases_0001_retakes',
  async up(knex) {
    await knex.schema.alterTable('verification_cases', (t) => {
      t.integer('attempts').notNullable().defaultTo(0);
    });
    // Every case decided before this migration was one decided attempt.
    await knex('verification_cases').whereNotNull('decided_at').update({ attempts: 1 });
    await knex.raw('alter table verification_cases drop constraint verification_cases_status_check');
    await knex.raw(`alter table verification_cases add constraint verification_cases_status_check
      check (status in ('open','resubmission_requested','manual_review','approved','rejected'))`);
  },
  async down(knex) {
    await knex('verification_cases').where({ status: 'resubmission_requested' }).update({ status: 'rejected', outcome: 'rejected' });
    await knex.raw('alter table verification_cases drop constraint verification_cases_status_check');
    await knex.raw(`alter table verification_cases add constraint verification_cases_status_check
      check (status in ('open','manual_review','approved','rejected'))`);
    await knex.schema.alterTable('verification_cases', (t) => {
      t.dropColumn('attempts');
    });
  },
};
