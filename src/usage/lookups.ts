// Status lookups per tenant and month, for the console's usage page. The status route is the benchmarked hot
// path: it writes nothing per request. Each process counts in memory (one Map increment) and the jobs add the
// counts to usage_counters every minute, one upsert per tenant; a flush that fails puts its counts back. A crash
// loses at most one interval's counts: this is a usage figure, not billing-grade metering.
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/index.js';

export const STATUS_LOOKUPS = 'status_lookups';
export const monthOf = (d: Date): string => d.toISOString().slice(0, 7);

export type LookupCounter = ReturnType<typeof createLookupCounter>;

export function createLookupCounter(d: { db: Queryable; clock: Clock }) {
  let pending = new Map<string, number>();
  let month = monthOf(d.clock.now());

  async function flush(): Promise<number> {
    const counts = pending;
    const at = month;
    pending = new Map();
    month = monthOf(d.clock.now());
    if (!counts.size) return 0;
    try {
      // A tenant deleted since its lookups were counted has nothing to add them to (and would fail the batch forever).
      const live = new Set((await d.db('tenants').whereIn('id', [...counts.keys()]).select<{ id: string }[]>('id')).map((t) => t.id));
      const rows = [...counts].filter(([t]) => live.has(t)).map(([tenant_id, count]) => ({ tenant_id, month: at, metric: STATUS_LOOKUPS, count }));
      if (!rows.length) return 0;
      await d
        .db('usage_counters')
        .insert(rows)
        .onConflict(['tenant_id', 'month', 'metric'])
        .merge({ count: d.db.raw('usage_counters.count + excluded.count') });
      return rows.length;
    } catch (err) {
      for (const [t, n] of counts) pending.set(t, (pending.get(t) ?? 0) + n);
      throw err;
    }
  }

  return {
    /** One lookup answered for the tenant: no I/O, no promise. */
    count(tenantId: string): void {
      pending.set(tenantId, (pending.get(tenantId) ?? 0) + 1);
    },
    /** Adds the counts since the last flush to the month they were counted in (at most one interval off at a month's end). */
    flush,
  };
}
