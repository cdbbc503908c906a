// Webhook tables: queries only, no rules. JSON columns are decoded here (db/codec.ts), so rows are precise.
import { z } from 'zod';
import { jsonColumn } from '../db/codec.js';
import type { Queryable } from '../db/index.js';

export interface EndpointRow {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  disabled_reason: string | null;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
  /** false: a test endpoint (a test key made it); it receives test events only. */
  livemode: boolean;
}

export interface EventRow {
  id: string;
  tenant_id: string;
  type: string;
  data: Record<string, unknown>;
  endpoint_id: string | null;
  livemode: boolean;
  created_at: Date;
  relayed_at: Date | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface DeliveryInsert {
  id: string;
  event_id: string;
  endpoint_id: string;
  tenant_id: string;
  status: DeliveryStatus;
  next_attempt_at: Date;
  created_at: Date;
}

/** A due delivery with everything needed to send it. */
export interface DeliveryJob {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  tenant_id: string;
  event_id: string;
  event_type: string;
  event_data: Record<string, unknown>;
  event_created_at: Date;
  /** false: a test-mode event (its payload says so). */
  event_livemode: boolean;
  endpoint_id: string;
  url: string;
  enabled: boolean;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_expires_at: Date | null;
}

export interface DeliveryUpdate {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
}

/** An attempt's outcome: the delivery's new state plus what its attempt log row needs. */
export interface OutcomeWrite extends DeliveryUpdate {
  tenant_id: string;
  endpoint_id: string;
  event_id: string;
  latency_ms: number | null;
  at: Date;
}

export interface AttemptInsert {
  tenant_id: string;
  endpoint_id: string;
  delivery_id: string | null;
  event_id: string | null;
  kind: 'attempt' | 'webhook.endpoint.disabled';
  attempt: number | null;
  status_code: number | null;
  latency_ms: number | null;
  error: string | null;
  next_retry_at: Date | null;
  created_at: Date;
}

export interface AttemptRow extends AttemptInsert {
  id: number;
}

const CHUNK = 1000;

const eventsColumn = jsonColumn('webhook_endpoints.events', z.array(z.string()));
const dataColumn = jsonColumn('webhook_events.data', z.record(z.string(), z.unknown()));
const idsColumn = jsonColumn('relay batch ids', z.array(z.string()));

type Raw<R, K extends keyof R> = Omit<R, K> & Record<K, unknown>;

const decodeEndpoint = (r: Raw<EndpointRow, 'events'>): EndpointRow => ({ ...r, events: eventsColumn.decode(r.events) });
const decodeEvent = (r: Raw<EventRow, 'data'>): EventRow => ({ ...r, data: dataColumn.decode(r.data) });
const decodeJob = (r: Raw<DeliveryJob, 'event_data'>): DeliveryJob => ({ ...r, event_data: dataColumn.decode(r.event_data) });

async function insertChunked(db: Queryable, table: string, rows: object[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await db(table).insert(rows.slice(i, i + CHUNK));
}

export const webhookStore = {
  // Outbox
  insertEvents: (
    db: Queryable,
    rows: { id: string; tenant_id: string; type: string; data: Record<string, unknown>; endpoint_id: string | null; created_at?: Date; livemode?: boolean }[],
  ) =>
    insertChunked(
      db,
      'webhook_events',
      rows.map((r) => ({ ...r, data: dataColumn.encode(r.data), created_at: r.created_at ?? db.fn.now() })),
    ),
  subjectsOfPerson: (db: Queryable, personId: string): Promise<{ tenant_id: string; sub: string }[]> =>
    db('subjects').where({ person_id: personId }).select('tenant_id', 'sub').orderBy('tenant_id'),
  findEvent: async (db: Queryable, tenantId: string, id: string): Promise<EventRow | undefined> => {
    const row = await db<Raw<EventRow, 'data'>>('webhook_events').where({ tenant_id: tenantId, id }).first();
    return row && decodeEvent(row);
  },

  /**
   * The relay step in one statement (one round trip, atomic): take unrelayed events (other relays skip the
   * rows this one holds), mark them relayed, and insert one pending delivery per matching enabled endpoint.
   * Delivery ids are computed as in `deliveryId()`. Returns the number of events and the new delivery ids.
   */
  relayBatch: async (db: Queryable, limit: number, now: Date): Promise<{ events: number; ids: string[] }> => {
    const res = await db.raw<{ rows: { events: number; ids: unknown }[] }>(
      `with evs as (
         select id, tenant_id, type, endpoint_id, livemode from webhook_events
         where relayed_at is null order by created_at limit ? for update skip locked
       ), marked as (
         update webhook_events e set relayed_at = ? from evs where e.id = evs.id returning e.id
       ), ins as (
         insert into webhook_deliveries (id, event_id, endpoint_id, tenant_id, status, attempts, next_attempt_at, created_at)
         select 'msg_' || left(translate(encode(sha256(convert_to(evs.id || ':' || w.id, 'UTF8')), 'base64'), '+/', '-_'), 24),
                evs.id, w.id, evs.tenant_id, 'pending', 0, ?, ?
         from evs join webhook_endpoints w on w.tenant_id = evs.tenant_id and w.livemode = evs.livemode and w.enabled
         where (evs.endpoint_id is not null and w.id = evs.endpoint_id)
            or (evs.endpoint_id is null and (w.events @> to_jsonb(evs.type) or w.events @> '"*"'::jsonb))
         on conflict (event_id, endpoint_id) do nothing
         returning id
       )
       select (select count(*) from marked)::int as events, coalesce((select json_agg(id) from ins), '[]'::json) as ids`,
      [limit, now, now, now],
    );
    const row = res.rows[0];
    if (!row) throw new Error('relay batch returned no row');
    return { events: row.events, ids: idsColumn.decode(row.ids) };
  },

  /** Returns the ids actually inserted (an existing (event, endpoint) pair is left alone). */
  insertDeliveries: async (db: Queryable, rows: DeliveryInsert[]): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < rows.length; i += CHUNK) {
      const got: { id: string }[] = await db('webhook_deliveries')
        .insert(rows.slice(i, i + CHUNK))
        .onConflict(['event_id', 'endpoint_id'])
        .ignore()
        .returning('id');
      ids.push(...got.map((r) => r.id));
    }
    return ids;
  },

  // Dispatch
  loadJobs: async (db: Queryable, ids: string[]): Promise<DeliveryJob[]> =>
    (await db('webhook_deliveries as d')
      .join('webhook_events as e', 'e.id', 'd.event_id')
      .join('webhook_endpoints as w', 'w.id', 'd.endpoint_id')
      .whereIn('d.id', ids)
      .select<Raw<DeliveryJob, 'event_data'>[]>(
        'd.id',
        'd.status',
        'd.attempts',
        'd.next_attempt_at',
        'd.tenant_id',
        'd.event_id',
        'e.type as event_type',
        'e.data as event_data',
        'e.created_at as event_created_at',
        'e.livemode as event_livemode',
        'd.endpoint_id',
        'w.url',
        'w.enabled',
        'w.secret_enc',
        'w.previous_secret_enc',
        'w.previous_secret_expires_at',
      )).map(decodeJob),
  /**
   * One statement (one round trip, atomic): the deliveries' new state (a delivery already finished elsewhere, by
   * a duplicate worker, is not regressed), their attempt log rows, and the endpoints' health: `failing_since`
   * cleared where the endpoint answered (`ok`), set (unless set) on the others. Endpoint rows are locked in id
   * order, so batch writes running at once cannot deadlock. Returns the endpoints it changed, in id order.
   *
   * The statement commits without waiting for Postgres's WAL flush (`synchronous_commit` off for this transaction
   * only, set inside the statement so it stays one round trip). A worker that dies after the answer cannot lose
   * the outcome: Postgres has already committed it. Only a crash of Postgres itself within the flush delay
   * (≈ 3 × wal_writer_delay) can forget it, and then the delivery is sent again: at-least-once still holds.
   */
  recordOutcomes: async (
    db: Queryable,
    rows: OutcomeWrite[],
    health: { id: string; ok: boolean; failingSince: Date }[],
  ): Promise<{ id: string; enabled: boolean; failing_since: Date | null }[]> => {
    const v = rows.map(() => '(?::int, ?::text, ?::text, ?::int, ?::timestamptz, ?::int, ?::text, ?::timestamptz, ?::text, ?::text, ?::text, ?::int, ?::timestamptz)');
    const h = health.map(() => '(?::text, ?::boolean, ?::timestamptz)');
    const res = await db.raw<{ rows: { id: string; enabled: boolean; failing_since: Date | null }[] }>(
      `with v(n, id, status, attempts, next_at, code, err, delivered_at, tenant_id, endpoint_id, event_id, latency_ms, at) as (values ${v.join(', ')}),
       upd as (update webhook_deliveries d set status = v.status, attempts = v.attempts, next_attempt_at = v.next_at,
                 last_status_code = v.code, last_error = v.err, delivered_at = v.delivered_at, locked_until = null
               from v where d.id = v.id and d.status = 'pending'
                 and (select set_config('synchronous_commit', 'off', true)) = 'off'),
       logged as (insert into webhook_attempts (tenant_id, endpoint_id, delivery_id, event_id, kind, attempt, status_code, latency_ms, error, next_retry_at, created_at)
               select tenant_id, endpoint_id, id, event_id, 'attempt', attempts, code, latency_ms, err, next_at, at from v order by n),
       h(id, ok, since) as (values ${h.join(', ')}),
       locked as (select e.id from webhook_endpoints e join h on h.id = e.id
                  where not h.ok or e.failing_since is not null order by e.id for no key update of e)
       update webhook_endpoints e set failing_since = case when h.ok then null else coalesce(e.failing_since, h.since) end
       from h join locked l on l.id = h.id where e.id = h.id
       returning e.id, e.enabled, e.failing_since`,
      [
        ...rows.flatMap((r, n) => [n, r.id, r.status, r.attempts, r.next_attempt_at, r.last_status_code, r.last_error, r.delivered_at, r.tenant_id, r.endpoint_id, r.event_id, r.latency_ms, r.at]),
        ...health.flatMap((r) => [r.id, r.ok, r.failingSince]),
      ],
    );
    return res.rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  },
  cancelDeliveries: (db: Queryable, ids: string[], reason: string) =>
    db('webhook_deliveries')
      .whereIn('id', ids)
      .andWhere({ status: 'pending' })
      .update({ status: 'cancelled', last_error: reason, next_attempt_at: null, locked_until: null }),
  insertAttempts: (db: Queryable, rows: AttemptInsert[]) => insertChunked(db, 'webhook_attempts', rows),

  // In-process queue (no Redis): the table itself, with a lease so a crashed process's work comes back.
  claimDue: async (db: Queryable, now: Date, leaseUntil: Date, limit: number): Promise<string[]> => {
    const res = await db.raw<{ rows: { id: string }[] }>(
      `update webhook_deliveries set locked_until = ? where id in (
         select id from webhook_deliveries
         where status = 'pending' and next_attempt_at <= ? and (locked_until is null or locked_until <= ?)
         order by next_attempt_at limit ? for update skip locked)
       returning id`,
      [leaseUntil, now, now, limit],
    );
    return res.rows.map((r) => r.id);
  },
  releaseClaims: (db: Queryable, ids: string[]) => db('webhook_deliveries').whereIn('id', ids).update({ locked_until: null }),
  nextDueAt: async (db: Queryable): Promise<Date | undefined> => {
    const row = await db('webhook_deliveries')
      .where({ status: 'pending' })
      .min({ at: db.raw('greatest(next_attempt_at, coalesce(locked_until, next_attempt_at))') })
      .first();
    return (row?.at as Date | null | undefined) ?? undefined;
  },
  /** Pending deliveries due before `before`, by id after `afterId` (keyset pages for the Redis reconciler). */
  overduePending: (db: Queryable, before: Date, afterId: string, limit: number): Promise<{ id: string; next_attempt_at: Date }[]> =>
    db('webhook_deliveries')
      .where({ status: 'pending' })
      .andWhere('next_attempt_at', '<', before)
      .andWhere('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .select('id', 'next_attempt_at'),

  // Endpoints
  insertEndpoint: (db: Queryable, row: Omit<EndpointRow, 'failing_since' | 'disabled_reason' | 'previous_secret_enc' | 'previous_secret_expires_at'>) =>
    db('webhook_endpoints').insert({ ...row, events: eventsColumn.encode(row.events) }),
  listEndpoints: async (db: Queryable, tenantId: string, livemode?: boolean): Promise<EndpointRow[]> =>
    ((await db('webhook_endpoints').where({ tenant_id: tenantId, ...(livemode === undefined ? {} : { livemode }) }).orderBy('created_at').orderBy('id')) as Raw<EndpointRow, 'events'>[]).map(decodeEndpoint),
  countEndpoints: async (db: Queryable, tenantId: string): Promise<number> => {
    const row = await db('webhook_endpoints').where({ tenant_id: tenantId }).count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  },
  findEndpoint: async (db: Queryable, tenantId: string, id: string, livemode?: boolean): Promise<EndpointRow | undefined> => {
    const row = await db<Raw<EndpointRow, 'events'>>('webhook_endpoints').where({ tenant_id: tenantId, id, ...(livemode === undefined ? {} : { livemode }) }).first();
    return row && decodeEndpoint(row);
  },
  updateEndpoint: (db: Queryable, id: string, patch: Partial<Omit<EndpointRow, 'id' | 'tenant_id'>>) =>
    db('webhook_endpoints')
      .where({ id })
      .update({ ...patch, ...(patch.events ? { events: eventsColumn.encode(patch.events) } : {}) }),
  /** Returns the number deleted (via RETURNING: the PGlite driver reports no row counts). */
  deleteEndpoint: async (db: Queryable, tenantId: string, id: string, livemode = true): Promise<number> =>
    (await db('webhook_endpoints').where({ tenant_id: tenantId, id, livemode }).delete().returning('id')).length,
  endpointsByIds: async (db: Queryable, ids: string[]): Promise<EndpointRow[]> =>
    ((await db('webhook_endpoints').whereIn('id', ids)) as Raw<EndpointRow, 'events'>[]).map(decodeEndpoint),

  // Attempt log
  listAttempts: (db: Queryable, tenantId: string, endpointId: string, limit: number, beforeId?: number): Promise<AttemptRow[]> => {
    const q = db('webhook_attempts').where({ tenant_id: tenantId, endpoint_id: endpointId });
    if (beforeId !== undefined) q.andWhere('id', '<', beforeId);
    return q.orderBy('id', 'desc').limit(limit);
  },

  // Redelivery
  deliveriesOfEvent: (db: Queryable, eventId: string): Promise<{ id: string; endpoint_id: string; status: DeliveryStatus }[]> =>
    db('webhook_deliveries').where({ event_id: eventId }).select('id', 'endpoint_id', 'status'),
  resetDeliveries: (db: Queryable, ids: string[], at: Date) =>
    db('webhook_deliveries')
      .whereIn('id', ids)
      .update({ status: 'pending', attempts: 0, next_attempt_at: at, locked_until: null, delivered_at: null }),

};
