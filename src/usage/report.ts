// A tenant's usage per month (console usage page and its CSV): verifications (cases opened), status lookups
// (usage_counters, see lookups.ts) and webhook deliveries (deliveries created, whatever their outcome).
import type { Knex } from 'knex';
import type { Queryable } from '../db/index.js';
import { monthOf, STATUS_LOOKUPS } from './lookups.js';

export interface UsageMonth {
  month: string;
  verifications: number;
  status_lookups: number;
  webhook_deliveries: number;
}

/** The last `months` months up to `now`, newest first, with zeroes for quiet months. */
export async function usageByMonth(db: Queryable, tenantId: string, now: Date, months = 12): Promise<UsageMonth[]> {
  const list: string[] = [];
  for (let i = 0; i < months; i++) list.push(monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1))));
  const since = new Date(`${list[list.length - 1]}-01T00:00:00Z`);
  // Live usage only: test-mode cases and the deliveries of test events are not counted.
  const perMonth = async (table: string, live: (q: Knex.QueryBuilder) => void): Promise<Map<string, number>> => {
    // Grouped in the database (PGlite and Postgres alike): one row per month, not one per case.
    const rows = await db(table)
      .where({ tenant_id: tenantId })
      .where(live)
      .andWhere('created_at', '>=', since)
      .select<{ month: string; n: number | string }[]>(db.raw("to_char(created_at at time zone 'UTC', 'YYYY-MM') as month"), db.raw('count(*) as n'))
      .groupByRaw('1');
    const m = new Map(rows.map((r) => [r.month, Number(r.n)]));
    return m;
  };
  const [cases, deliveries, counters] = await Promise.all([
    perMonth('verification_cases', (q) => void q.where('livemode', true)),
    perMonth('webhook_deliveries', (q) => void q.whereIn('event_id', db('webhook_events').where({ tenant_id: tenantId, livemode: true }).select('id'))),
    db('usage_counters').where({ tenant_id: tenantId, metric: STATUS_LOOKUPS }).whereIn('month', list).select<{ month: string; count: number | string }[]>('month', 'count'),
  ]);
  const lookups = new Map(counters.map((r) => [r.month, Number(r.count)]));
  return list.map((month) => ({ month, verifications: cases.get(month) ?? 0, status_lookups: lookups.get(month) ?? 0, webhook_deliveries: deliveries.get(month) ?? 0 }));
}

export function usageCsv(rows: UsageMonth[]): string {
  return ['month,verifications,status_lookups,webhook_deliveries', ...rows.map((r) => `${r.month},${r.verifications},${r.status_lookups},${r.webhook_deliveries}`)].join('\r\n') + '\r\n';
}
