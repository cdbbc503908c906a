// Audit entries and chain heads: queries only. Entries are never updated; the trigger refuses it anyway.
import { z } from 'zod';
import { jsonColumn } from '../db/codec.js';
import type { Queryable } from '../db/index.js';
import { ACTOR_TYPES, type AuditLink } from './chain.js';

export interface EntryRow {
  id: string;
  chain: string;
  tenant_id: string | null;
  seq: number;
  at: Date;
  actor_type: string;
  actor_id: string;
  action: string;
  object_type: string;
  object_id: string;
  details: unknown;
  prev_hash: string;
  hash: string;
}

export interface HeadRow {
  chain: string;
  seq: number;
  hash: string;
  pruned_seq: number;
  pruned_hash: string | null;
}

/** Filters of the trail view (each optional; together they narrow). `to` is exclusive. */
export interface TrailFilter {
  chain?: string;
  actorType?: string;
  actorId?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  from?: Date;
  to?: Date;
}

/** Where a page of the trail ends: the next page starts after this link. */
export interface TrailCursor {
  at: Date;
  chain: string;
  seq: number;
}

export type StoredLink = AuditLink & { prev_hash: string; hash: string };

const detailsColumn = jsonColumn('audit_entries.details', z.record(z.string(), z.unknown()));
// A tampered actor type must reach the hash check (and fail there), not stop the walk as unreadable data.
const actorType = (t: string) => (ACTOR_TYPES as readonly string[]).includes(t) ? (t as AuditLink['actor']['type']) : (t as never);

export function toLink(r: EntryRow): StoredLink {
  return {
    id: r.id,
    tenant_id: r.tenant_id,
    seq: r.seq,
    at: r.at,
    actor: { type: actorType(r.actor_type), id: r.actor_id },
    action: r.action,
    object: { type: r.object_type, id: r.object_id },
    details: detailsColumn.decode(r.details),
    prev_hash: r.prev_hash,
    hash: r.hash,
  };
}

export const auditStore = {
  /** Creates the chain's head at the genesis when it has none, then locks it until the transaction ends. */
  async lockHead(trx: Queryable, chain: string, genesis: string): Promise<HeadRow> {
    await trx('audit_chain_heads').insert({ chain, seq: 0, hash: genesis }).onConflict('chain').ignore();
    return (await trx<HeadRow>('audit_chain_heads').where({ chain }).forUpdate().first())!;
  },
  findHead: (db: Queryable, chain: string): Promise<HeadRow | undefined> => db<HeadRow>('audit_chain_heads').where({ chain }).first(),
  moveHead: (trx: Queryable, chain: string, seq: number, hash: string) => trx('audit_chain_heads').where({ chain }).update({ seq, hash }),
  setPruned: (trx: Queryable, chain: string, seq: number, hash: string) => trx('audit_chain_heads').where({ chain }).update({ pruned_seq: seq, pruned_hash: hash }),
  listHeads: (db: Queryable): Promise<HeadRow[]> => db<HeadRow>('audit_chain_heads').orderBy('chain'),
  /** Chains with a head or with entries (a deleted head row must not hide its chain from `verify --all`). */
  listChains: async (db: Queryable): Promise<string[]> =>
    (await db.raw<{ rows: { chain: string }[] }>('select chain from audit_chain_heads union select chain from audit_entries order by 1')).rows.map((r) => r.chain),

  insert: (trx: Queryable, chain: string, l: StoredLink) =>
    trx('audit_entries').insert({
      id: l.id,
      chain,
      tenant_id: l.tenant_id,
      seq: l.seq,
      at: l.at,
      actor_type: l.actor.type,
      actor_id: l.actor.id,
      action: l.action,
      object_type: l.object.type,
      object_id: l.object.id,
      details: detailsColumn.encode(l.details),
      prev_hash: l.prev_hash,
      hash: l.hash,
    }),

  /** One page of a chain in seq order, after `afterSeq`. */
  page: (db: Queryable, chain: string, afterSeq: number, limit: number): Promise<EntryRow[]> =>
    db<EntryRow>('audit_entries').where({ chain }).andWhere('seq', '>', afterSeq).orderBy('seq').limit(limit),


  /**
   * The console's trail view and filtered export: entries matching every given filter, keyset-paged on
   * (at, chain, seq), newest first (`desc`) for reading or oldest first (`asc`) for an export.
   */
  search(db: Queryable, f: TrailFilter, page: { after?: TrailCursor | undefined; order: 'asc' | 'desc'; limit: number }): Promise<EntryRow[]> {
    const q = db<EntryRow>('audit_entries');
    if (f.chain) q.where({ chain: f.chain });
    if (f.actorType) q.where({ actor_type: f.actorType });
    if (f.actorId) q.where({ actor_id: f.actorId });
    if (f.action) q.where({ action: f.action });
    if (f.objectType) q.where({ object_type: f.objectType });
    if (f.objectId) q.where({ object_id: f.objectId });
    if (f.from) q.where('at', '>=', f.from);
    if (f.to) q.where('at', '<', f.to);
    if (page.after) q.whereRaw(`(at, chain, seq) ${page.order === 'asc' ? '>' : '<'} (?, ?, ?)`, [page.after.at, page.after.chain, page.after.seq]);
    return q.orderBy([{ column: 'at', order: page.order }, { column: 'chain', order: page.order }, { column: 'seq', order: page.order }]).limit(page.limit);
  },

  /** The newest link written before `cutoff` (what retention may remove up to). */
  lastBefore: (db: Queryable, chain: string, cutoff: Date): Promise<Pick<EntryRow, 'seq' | 'hash'> | undefined> =>
    db<EntryRow>('audit_entries').where({ chain }).andWhere('at', '<', cutoff).orderBy('seq', 'desc').first('seq', 'hash'),
  /**
   * The first link at or below `throughSeq` that must stay because its subject's relationship has not ended long
   * enough ago: a person who still has an account, or whose erasure (`person.erased`) is newer than `cutoff`, or a
   * case whose decision record is still kept (verification_cases follows its own retention). Retention removes a
   * chain's prefix only, so everything from this link on stays.
   */
  firstHeld: async (db: Queryable, chain: string, throughSeq: number, cutoff: Date): Promise<number | undefined> => {
    const { rows } = await db.raw<{ rows: { seq: number | string | null }[] }>(
      `select min(e.seq) as seq from audit_entries e
        where e.chain = ? and e.seq <= ?
          and ((e.object_type = 'person'
                and (exists (select 1 from persons p where p.id = e.object_id)
                     or exists (select 1 from audit_entries x where x.action = 'person.erased' and x.object_id = e.object_id and x.at >= ?)))
            or (e.object_type = 'case' and exists (select 1 from verification_cases c where c.id = e.object_id)))`,
      [chain, throughSeq, cutoff],
    );
    const seq = rows[0]?.seq;
    return seq == null ? undefined : Number(seq);
  },
  /** The link just before `seq` (what retention may remove up to when `seq` must stay). */
  before: (db: Queryable, chain: string, seq: number): Promise<Pick<EntryRow, 'seq' | 'hash'> | undefined> =>
    db<EntryRow>('audit_entries').where({ chain }).andWhere('seq', '<', seq).orderBy('seq', 'desc').first('seq', 'hash'),
  // Counted through RETURNING: knex-pglite answers a bare DELETE with its raw result, not the count.
  deleteThrough: async (trx: Queryable, chain: string, seq: number): Promise<number> =>
    (await trx('audit_entries').where({ chain }).andWhere('seq', '<=', seq).delete().returning('seq')).length,
};
