// The audit trail: record(entry, trx?) appends to the entry's chain (the tenant's, or the operator's when
// tenantId is null) inside the caller's transaction when one is given, so a state change and its entry commit
// or roll back together. Appends lock the chain's head row FOR UPDATE: one writer per chain at a time, so
// sequence numbers have no gap and the chain no fork, on Postgres under concurrency as on PGlite.
// verify() walks a chain, export() yields JSON lines, prune() is the retention job (README "Audit trail").
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { newId } from '../ids.js';
import { ACTOR_TYPES, chainOf, ChainWalker, GENESIS_HASH, linkHash, PRUNED_ACTION, type AuditActor, type Break, type AuditLink } from './chain.js';
import { auditStore, toLink, type StoredLink, type TrailCursor, type TrailFilter } from './store.js';

export type { TrailCursor, TrailFilter } from './store.js';

export type { AuditActor } from './chain.js';

export interface AuditEntry {
  tenantId: string | null;
  actor: AuditActor;
  action: string;
  object: { type: string; id: string };
  details?: Record<string, unknown>;
}

/** What a domain service needs to write its entries (built in compose.ts; the CLI builds its own). */
export type AuditRecorder = Pick<AuditService, 'record' | 'audited'>;

// Details carry ids, counts, names of things and reason codes; never secrets or personal data. A member named
// like a secret is refused outright so a careless caller fails in its tests, not in the trail.
const SECRET_NAME = /secret|password|token|api_?key$|otp|totp|recovery|image|photo/i;
const id = z.string().min(1).max(200);
const entrySchema = z.strictObject({
  tenantId: id.nullable(),
  actor: z.strictObject({ type: z.enum(ACTOR_TYPES), id }),
  action: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'dotted lower case, e.g. api_key.created'),
  object: z.strictObject({ type: z.string().regex(/^[a-z][a-z0-9_]*$/), id }),
  details: z.record(z.string(), z.unknown()).optional(),
});

function secretNames(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [...(SECRET_NAME.test(k) ? [`${path}${k}`] : []), ...secretNames(v, `${path}${k}.`)]);
}

export type VerifyResult =
  | { ok: true; chain: string; entries: number; head: { seq: number; hash: string }; pruned_through: number }
  | { ok: false; chain: string; entries: number; broken: Break };

export type AuditService = ReturnType<typeof createAuditService>;

const PAGE = 1000;

/** The shortest retention the sweep applies: RECORD_RETENTION_YEARS=0 must not empty the trail itself. */
export const MIN_RETENTION_YEARS = 1;

export function createAuditService(d: { db: Knex; clock: Clock; /** RECORD_RETENTION_YEARS; without it pruneExpired() keeps everything. */ retentionYears?: number }) {
  async function append(trx: Knex.Transaction, input: AuditEntry): Promise<StoredLink> {
    const e = entrySchema.parse(input);
    // Through JSON once: what is hashed is exactly what jsonb gives back (Dates become strings, undefined goes).
    const details = JSON.parse(JSON.stringify(e.details ?? {})) as Record<string, unknown>;
    const leaked = secretNames(details);
    if (leaked.length) throw new Error(`audit details must not hold secrets: ${leaked.join(', ')}`);
    const chain = chainOf(e.tenantId);
    const head = await auditStore.lockHead(trx, chain, GENESIS_HASH);
    const link: AuditLink = { id: newId('aud'), tenant_id: e.tenantId, seq: head.seq + 1, at: d.clock.now(), actor: e.actor, action: e.action, object: e.object, details };
    const stored = { ...link, prev_hash: head.hash, hash: linkHash(head.hash, link) };
    await auditStore.insert(trx, chain, stored);
    await auditStore.moveHead(trx, chain, stored.seq, stored.hash);
    return stored;
  }

  /** Matching entries as JSON lines (one entry each, with prev_hash and hash), oldest first, a keyset page at a time. */
  async function* exportLines(filter: TrailFilter): AsyncIterable<string> {
    let after: TrailCursor | undefined;
    for (;;) {
      const rows = await auditStore.search(d.db, filter, { ...(after ? { after } : {}), order: 'asc', limit: PAGE });
      for (const r of rows) {
        const l = toLink(r);
        yield JSON.stringify({ ...l, at: l.at.toISOString() });
      }
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1]!;
      after = { at: last.at, chain: last.chain, seq: last.seq };
    }
  }

  const inTransaction = <T>(trx: Knex.Transaction | undefined, fn: (t: Knex.Transaction) => Promise<T>): Promise<T> =>
    trx ? fn(trx) : d.db.transaction(fn);

  return {
    async record(entry: AuditEntry, trx?: Knex.Transaction): Promise<void> {
      await inTransaction(trx, (t) => append(t, entry));
    },

    /** Runs a change in a new transaction and appends the entry describing its result in the same one. */
    audited<T>(change: (trx: Knex.Transaction) => Promise<T>, entry: (result: T, trx: Knex.Transaction) => AuditEntry | Promise<AuditEntry>): Promise<T> {
      return d.db.transaction(async (trx) => {
        const result = await change(trx);
        await append(trx, await entry(result, trx));
        return result;
      });
    },

    /** Every chain that has entries: null for the operator's, else tenant ids. */
    async chains(): Promise<(string | null)[]> {
      return (await auditStore.listChains(d.db)).map((c) => (c === chainOf(null) ? null : c));
    },

    /** Walks one chain from its first kept link; names the first broken link. */
    async verify(tenantId: string | null): Promise<VerifyResult> {
      const chain = chainOf(tenantId);
      const head = await auditStore.findHead(d.db, chain);
      const start = head && head.pruned_seq > 0 ? { seq: head.pruned_seq, hash: head.pruned_hash ?? GENESIS_HASH } : { seq: 0, hash: GENESIS_HASH };
      const walker = new ChainWalker(start);
      for (let after = start.seq; ; ) {
        const rows = await auditStore.page(d.db, chain, after, PAGE);
        for (const row of rows) {
          const broken = walker.step(toLink(row));
          if (broken) return { ok: false, chain, entries: walker.count, broken };
        }
        if (rows.length < PAGE) break;
        after = rows[rows.length - 1]!.seq;
      }
      const broken = walker.finish(head ?? { seq: 0, hash: GENESIS_HASH });
      if (broken) return { ok: false, chain, entries: walker.count, broken };
      return { ok: true, chain, entries: walker.count, head: walker.last, pruned_through: start.seq };
    },

    /**
     * Entries written in [from, to) as JSON lines (one entry each, with prev_hash and hash), oldest first: of one
     * chain when `tenantId` is given (null: the operator's), of every chain when it is undefined.
     */
    export(from: Date, to: Date, tenantId?: string | null): AsyncIterable<string> {
      return exportLines({ from, to, ...(tenantId === undefined ? {} : { chain: chainOf(tenantId) }) });
    },

    /** One page of the trail, newest first, matching the filter (the console's view); `next` continues it. */
    async search(filter: TrailFilter, page: { after?: TrailCursor; limit: number }): Promise<{ entries: StoredLink[]; next?: TrailCursor }> {
      const rows = await auditStore.search(d.db, filter, { ...page, order: 'desc', limit: page.limit + 1 });
      const entries = rows.slice(0, page.limit).map(toLink);
      const last = rows.length > page.limit ? rows[page.limit - 1]! : undefined;
      return { entries, ...(last ? { next: { at: last.at, chain: last.chain, seq: last.seq } } : {}) };
    },

    /** Every entry matching the filter as JSON lines, oldest first (the console's export of a filtered range). */
    exportFiltered: (filter: TrailFilter): AsyncIterable<string> => exportLines(filter),

    /**
     * Retention: removes each chain's links written before `cutoff` and appends an `audit.pruned` checkpoint
     * naming the last removed link (seq and hash), from which verify() starts. Only this transaction may delete:
     * the trigger lets a DELETE through under `kycport.audit_prune` for links at or below the head's pruned
     * point, and the role's revoked DELETE grant is given back for this transaction only (owner or superuser).
     */
    /**
     * The retention sweep (jobs.ts): entries older than RECORD_RETENTION_YEARS (at least one year) go, except from
     * the first one about a person or case whose relationship has not ended that long ago (auditStore.firstHeld).
     */
    pruneExpired(): Promise<{ chains: number; removed: number }> {
      if (d.retentionYears === undefined) return Promise.resolve({ chains: 0, removed: 0 });
      const cutoff = d.clock.now();
      cutoff.setUTCFullYear(cutoff.getUTCFullYear() - Math.max(MIN_RETENTION_YEARS, d.retentionYears));
      return this.prune(cutoff);
    },

    async prune(cutoff: Date): Promise<{ chains: number; removed: number }> {
      let chains = 0;
      let removed = 0;
      for (const { chain } of await auditStore.listHeads(d.db)) {
        const n = await d.db.transaction(async (trx) => {
          const head = await auditStore.lockHead(trx, chain, GENESIS_HASH);
          const old = await auditStore.lastBefore(trx, chain, cutoff);
          // Kept for the period after the relationship ends, not after the entry: a held link stops the prefix.
          const held = old && (await auditStore.firstHeld(trx, chain, old.seq, cutoff));
          const last = held === undefined ? old : await auditStore.before(trx, chain, held);
          if (!last || last.seq <= head.pruned_seq) return 0;
          await auditStore.setPruned(trx, chain, last.seq, last.hash);
          await trx.raw(`select set_config('kycport.audit_prune', 'on', true)`);
          const granted = !(await trx.raw<{ rows: { ok: boolean }[] }>(`select has_table_privilege('audit_entries', 'DELETE') as ok`)).rows[0]!.ok;
          if (granted) await trx.raw('grant delete on audit_entries to current_user');
          const gone = await auditStore.deleteThrough(trx, chain, last.seq);
          if (granted) await trx.raw('revoke delete on audit_entries from current_user');
          await append(trx, {
            tenantId: chain === chainOf(null) ? null : chain,
            actor: { type: 'system', id: 'retention' },
            action: PRUNED_ACTION,
            object: { type: 'audit_chain', id: chain },
            details: { through_seq: last.seq, through_hash: last.hash, removed: gone, cutoff: cutoff.toISOString() },
          });
          return gone;
        });
        if (n) chains++;
        removed += n;
      }
      return { chains, removed };
    },
  };
}
