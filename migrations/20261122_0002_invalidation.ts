// Triggers that announce changes to cached rows with NOTIFY. Postgres delivers a NOTIFY only when its
// transaction commits, so a cache never hears of a change that rolled back, whatever code path wrote it.
import type { Migration } from '../src/db/migrate.js';

const STATEMENTS = [
  `create function kp_notify_assurance() returns trigger language plpgsql as $$
   begin
     perform pg_notify('kp_invalidate', 'assurance:' || coalesce(new.person_id, old.person_id));
     return null;
   end $$`,
  `create trigger assurance_notify after insert or update or delete on assurance
     for each row execute function kp_notify_assurance()`,
  `create function kp_notify_api_key() returns trigger language plpgsql as $$
   begin
     perform pg_notify('kp_invalidate', 'apikey:' || coalesce(old.key_hash, new.key_hash));
     return null;
   end $$`,
  `create trigger api_keys_notify after update or delete on api_keys
     for each row execute function kp_notify_api_key()`,
];

export const invalidation: Migration = {
  name: '20261122_0002_invalidation',
  async up(knex) {
    // One statement per call: PGlite's extended protocol runs a single statement at a time.
    for (const sql of STATEMENTS) await knex.raw(sql);
  },
  async down(knex) {
    await knex.raw('drop trigger if exists assurance_notify on assurance');
    await knex.raw('drop function if exists kp_notify_assurance()');
    await knex.raw('drop trigger if exists api_keys_notify on api_keys');
    await knex.raw('drop function if exists kp_notify_api_key()');
  },
};
