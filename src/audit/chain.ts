// The hash chain, pure: what one link's hash covers and how a chain is walked. README "Audit trail" states the
// same formula; an auditor can recompute it from an export with any RFC 8785 implementation and SHA-256.
//
//   hash = hex(sha256( prev_hash ‖ JCS(entry) ))
//
// prev_hash is the previous link's hash as 64 lowercase hex characters (the first link's is GENESIS_HASH), ‖ is
// byte concatenation, JCS is RFC 8785 canonical JSON (UTF-8) of exactly these members of the entry:
//   { id, tenant_id (null on the operator's chain), seq, at (ISO 8601 UTC with milliseconds),
//     actor: { type, id }, action, object: { type, id }, details }
// prev_hash is not a member: it is the prefix, so each link commits to everything before it.
import crypto from 'node:crypto';
import canonicalize from 'canonicalize';

/** The prev_hash of every chain's first link: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);
/** The operator's chain key (tenant chains are keyed by tenant id, which always starts with `ten_`). */
export const OPERATOR_CHAIN = 'operator';

export const chainOf = (tenantId: string | null): string => tenantId ?? OPERATOR_CHAIN;

export const ACTOR_TYPES = ['staff', 'api_key', 'person', 'cli', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export interface AuditActor {
  type: ActorType;
  id: string;
}

/** One link as hashed (and as exported, plus prev_hash and hash). */
export interface AuditLink {
  id: string;
  tenant_id: string | null;
  seq: number;
  at: Date;
  actor: AuditActor;
  action: string;
  object: { type: string; id: string };
  details: Record<string, unknown>;
}

/** RFC 8785 canonical JSON; throws on what JSON cannot hold (NaN, Infinity, lone surrogates). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

export function entryJson(e: AuditLink): string {
  return canonicalJson({
    id: e.id,
    tenant_id: e.tenant_id,
    seq: e.seq,
    at: e.at.toISOString(),
    actor: { type: e.actor.type, id: e.actor.id },
    action: e.action,
    object: { type: e.object.type, id: e.object.id },
    details: e.details,
  });
}

export function linkHash(prevHash: string, e: AuditLink): string {
  return crypto.createHash('sha256').update(prevHash, 'utf8').update(entryJson(e), 'utf8').digest('hex');
}

export type BreakReason = 'sequence_gap' | 'prev_hash_mismatch' | 'hash_mismatch' | 'head_mismatch' | 'unattested_prune';

export interface Break {
  seq: number;
  id: string | null;
  reason: BreakReason;
  detail: string;
}

/** Walks links in seq order from a starting point; stateful so a long chain can be fed page by page. */
export class ChainWalker {
  private expectedSeq: number;
  private prev: string;
  count = 0;
  /** The pruned point the chain starts after, until an `audit.pruned` link attests it. */
  private unattested: { seq: number; hash: string } | undefined;

  constructor(start: { seq: number; hash: string }) {
    this.expectedSeq = start.seq + 1;
    this.prev = start.hash;
    if (start.seq > 0) this.unattested = start;
  }

  /** The first problem with this link, or undefined. */
  step(link: AuditLink & { prev_hash: string; hash: string }): Break | undefined {
    const at = (reason: BreakReason, detail: string): Break => ({ seq: link.seq, id: link.id, reason, detail });
    if (link.seq !== this.expectedSeq) return at('sequence_gap', `expected seq ${this.expectedSeq}, found ${link.seq}`);
    if (link.prev_hash !== this.prev) return at('prev_hash_mismatch', `prev_hash ${link.prev_hash} is not the previous link's hash ${this.prev}`);
    const computed = linkHash(link.prev_hash, link);
    if (computed !== link.hash) return at('hash_mismatch', `stored hash ${link.hash}, computed ${computed}`);
    const p = this.unattested;
    if (p && link.action === PRUNED_ACTION && link.details.through_seq === p.seq && link.details.through_hash === p.hash) this.unattested = undefined;
    this.expectedSeq++;
    this.prev = link.hash;
    this.count++;
    return undefined;
  }

  /** After the last link: the head row must name it, and a pruned start must have been attested. */
  finish(head: { seq: number; hash: string }): Break | undefined {
    const last = this.expectedSeq - 1;
    if (head.seq !== last || head.hash !== this.prev) {
      return { seq: head.seq, id: null, reason: 'head_mismatch', detail: `the chain head names seq ${head.seq} (${head.hash}); the entries end at seq ${last} (${this.prev})` };
    }
    if (this.unattested) {
      return { seq: this.unattested.seq, id: null, reason: 'unattested_prune', detail: `entries up to seq ${this.unattested.seq} are gone and no ${PRUNED_ACTION} entry records their removal` };
    }
    return undefined;
  }

  get last(): { seq: number; hash: string } {
    return { seq: this.expectedSeq - 1, hash: this.prev };
  }
}

/** The checkpoint the retention job appends after removing a chain's oldest links. */
export const PRUNED_ACTION = 'audit.pruned';
