// The tamper-evident audit trail (src/audit/): one hash chain per tenant plus one for the operator. Entries are
// append-only: a trigger refuses UPDATE, DELETE and TRUNCATE (DELETE only passes for the retention job, under a
// transaction-local setting, and only for a chain's oldest entries; audit/service.ts prune()), and the migrating
// role gives up its own UPDATE/DELETE/TRUNCATE grant. audit_chain_heads holds each chain's last link: appends
// lock that row FOR UPDATE (no gap, no fork under concurrency) and it remembers the last pruned link.
import type { Migration } from '../src/db/migrate.js';

export const auditEntries: Migration = {
  name: '20261203_audit_0001_audit_entries',
  async up(knex) {
    await knex.raw(`
      create table audit_entries (
        id text primary key,
        chain text not null,
        tenant_id text,
        seq bigint not null check (seq > 0),
        at timestamptz not null,
        actor_type text not null,
        actor_id text not null,
        action text not null,
        object_type text not null,
        object_id text not null,
        details jsonb not null,
        prev_hash text not null,
        hash text not null,
        unique (chain, seq),
        check (chain = coalesce(tenant_id, 'operator'))
      )`);
    await knex.raw('create index audit_entries_at on audit_entries (at)');
    await knex.raw(`
      create table audit_chain_heads (
        chain text primary key,
        seq bigint not null,
        hash text not null,
        pruned_seq bigint not null default 0,
        pruned_hash text
      )`);
    // Only the retention job may delete, and only a chain's oldest entries (below its pruned point, which it
    // moves first in the same transaction); nothing may update or truncate.
    await knex.raw(`
      create function audit_entries_append_only() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' and current_setting('kycport.audit_prune', true) = 'on'
           and old.seq <= (select pruned_seq from audit_chain_heads where chain = old.chain) then
          return old;
        end if;
        raise exception 'audit_entries is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
      end $$`);
    await knex.raw(`create trigger audit_entries_no_change before update or delete on audit_entries
      for each row execute function audit_entries_append_only()`);
    await knex.raw(`create trigger audit_entries_no_truncate before truncate on audit_entries
      for each statement execute function audit_entries_append_only()`);
    // Where roles matter (Postgres with a non-superuser owner) the application's own role loses these grants; a
    // superuser or the owner can grant them back (README "Audit trail" says what this does not protect against).
    await knex.raw('revoke update, delete, truncate on audit_entries from public, current_user');
  },
  async down(knex) {
    await knex.raw('drop table if exists audit_entries');
    await knex.raw('drop function if exists audit_entries_append_only()');
    await knex.raw('drop table if exists audit_chain_heads');
  },
};
