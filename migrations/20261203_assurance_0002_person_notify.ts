// The token endpoint's account claims are cached per person (assurance/claims-cache.ts): a change to the person's
// claim fields (email, its verification, name) or the person's deletion announces itself with NOTIFY, as assurance
// rows do (20261122_0002_invalidation). Other person columns (password, two-step, sign-in times) never reach a claim.
import type { Migration } from '../src/db/migrate.js';

const STATEMENTS = [
  `create function kp_notify_person() returns trigger language plpgsql as $$
   begin
     perform pg_notify('kp_invalidate', 'person:' || old.id);
     return null;
   end $$`,
  `create trigger persons_notify after update of email, email_verified, name or delete on persons
     for each row execute function kp_notify_person()`,
];

export const personNotify: Migration = {
  name: '20261203_assurance_0002_person_notify',
  async up(knex) {
    for (const sql of STATEMENTS) await knex.raw(sql);
  },
  async down(knex) {
    await knex.raw('drop trigger if exists persons_notify on persons');
    await knex.raw('drop function if exists kp_notify_person()');
  },
};
