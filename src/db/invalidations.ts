// Cache invalidation from the database itself: triggers NOTIFY `kp_invalidate` with "<kind>:<id>" when cached
// rows change (see migrations/…_0002_invalidation.ts). One LISTEN connection per process, opened on first use.
// Caches may answer only while this process provably hears every change (live()): otherwise a revoked API key
// or a changed status could be served from memory after another process committed the change.
import type { Database } from './index.js';

export type InvalidationKind = 'assurance' | 'apikey' | 'person';

/** How long a heartbeat keeps caches trusted: a change committed elsewhere is honoured within this time. */
export const TRUST_MS = 1_000;

export interface Invalidations {
  /** `handler(id)` on each change of that kind; `handler(undefined)` when changes may have been missed. */
  on(kind: InvalidationKind, handler: (id: string | undefined) => void): void;
  /**
   * True while every change committed up to TRUST_MS ago is known to have been heard (LISTEN is up and its
   * heartbeat answered). While false, caches neither answer nor store: reads go to the database.
   */
  live(): boolean;
  close(): Promise<void>;
}

export function databaseInvalidations(db: Database): Invalidations {
  const handlers = new Map<InvalidationKind, ((id: string | undefined) => void)[]>();
  let stop: (() => Promise<void>) | undefined;
  let liveUntil = 0;
  const message = (payload: string) => {
    const i = payload.indexOf(':');
    for (const h of handlers.get(payload.slice(0, i) as InvalidationKind) ?? []) h(payload.slice(i + 1));
  };
  const reset = () => {
    liveUntil = 0;
    for (const list of handlers.values()) for (const h of list) h(undefined);
  };
  const heard = (at: number) => {
    liveUntil = Math.max(liveUntil, at + TRUST_MS);
  };
  return {
    on(kind, handler) {
      handlers.set(kind, [...(handlers.get(kind) ?? []), handler]);
      stop ??= db.listen('kp_invalidate', { message, reset, heard });
    },
    live: () => Date.now() < liveUntil,
    async close() {
      await stop?.();
    },
  };
}
