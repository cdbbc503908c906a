// Cache invalidation from the database itself: triggers NOTIFY `kp_invalidate` with "<kind>:<id>" when cached
// rows change (see migrations/…_0002_invalidation.ts). One LISTEN connection per process, opened on first use.
import type { Database } from './index.js';

export type InvalidationKind = 'assurance' | 'apikey';

export interface Invalidations {
  /** `handler(id)` on each change of that kind; `handler(undefined)` when changes may have been missed. */
  on(kind: InvalidationKind, handler: (id: string | undefined) => void): void;
  close(): Promise<void>;
}

export function databaseInvalidations(db: Database): Invalidations {
  const handlers = new Map<InvalidationKind, ((id: string | undefined) => void)[]>();
  let stop: Promise<() => Promise<void>> | undefined;
  const dispatch = (payload: string) => {
    const i = payload.indexOf(':');
    for (const h of handlers.get(payload.slice(0, i) as InvalidationKind) ?? []) h(payload.slice(i + 1));
  };
  const reset = () => {
    for (const list of handlers.values()) for (const h of list) h(undefined);
  };
  return {
    on(kind, handler) {
      handlers.set(kind, [...(handlers.get(kind) ?? []), handler]);
      stop ??= db.listen('kp_invalidate', dispatch, reset);
    },
    async close() {
      if (stop) await (await stop)();
    },
  };
}
