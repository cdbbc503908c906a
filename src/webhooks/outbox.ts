// The transactional outbox: an event row is written with the caller's transaction, so an event exists
// if and only if the state change that caused it committed. The relay delivers it later.
import type { Queryable } from '../db/index.js';
import { newId } from '../ids.js';
import { isEventType, type AssuranceState, type EventType } from './catalog.js';
import { webhookStore } from './store.js';

/** Postgres channel the relay LISTENs on; NOTIFY is transactional, so it fires only at commit. */
export const OUTBOX_CHANNEL = 'kp_webhook_outbox';

export interface EmitInput {
  tenantId: string;
  type: EventType;
  data: Record<string, unknown>;
  /** Deliver to this endpoint only (webhook.test). */
  endpointId?: string;
  /** Event time; defaults to the database's transaction time. */
  at?: Date;
  /** false: a test-mode event, delivered to the tenant's test endpoints only. Default: live. */
  livemode?: boolean;
}

const MAX_STRING = 4096;
// A string under such a key is an image, an image link or a document number: never for tenants. Objects under
// them (e.g. a check summary `selfie: {passed: true}`) are fine.
const SENSITIVE_KEY = /(^|_)(images?|selfies?|portraits?|photos?|document_numbers?)$/i;

/** Payloads go to third parties: refuse binary data, long blobs, data: URLs and images or document numbers. */
export function assertSafePayload(value: unknown, path = 'data'): void {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return;
  if (typeof value === 'string') {
    if (value.length > MAX_STRING) throw new Error(`webhook payload ${path} is too long to be an event field`);
    if (/^data:/i.test(value)) throw new Error(`webhook payload ${path} is a data: URL`);
    return;
  }
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) throw new Error(`webhook payload ${path} is binary`);
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertSafePayload(v, `${path}[${i}]`));
    return;
  }
  if (value instanceof Date) return;
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (SENSITIVE_KEY.test(k) && typeof v === 'string') throw new Error(`webhook payload ${path}.${k} must not be sent to tenants`);
      assertSafePayload(v, `${path}.${k}`);
    }
    return;
  }
  throw new Error(`webhook payload ${path} has an unsupported type`);
}

// One NOTIFY per transaction is enough (Postgres folds duplicates anyway); this saves the round trips.
const notified = new WeakSet<object>();

async function notifyRelay(trx: Queryable): Promise<void> {
  if (notified.has(trx)) return;
  await trx.raw('select pg_notify(?, ?)', [OUTBOX_CHANNEL, '']);
  if ((trx as { isTransaction?: boolean }).isTransaction) notified.add(trx);
}

/** Writes one event in `trx` (pass the transaction of the state change, never the root handle). */
export async function emitEvent(trx: Queryable, input: EmitInput): Promise<{ id: string }> {
  if (!isEventType(input.type)) throw new Error(`unknown webhook event type ${String(input.type)}`);
  assertSafePayload(input.data);
  const id = newId('evt', 16);
  await webhookStore.insertEvents(trx, [
    { id, tenant_id: input.tenantId, type: input.type, data: input.data, endpoint_id: input.endpointId ?? null, created_at: input.at, livemode: input.livemode ?? true },
  ]);
  await notifyRelay(trx);
  return { id };
}

/**
 * Emits one event to every tenant that knows the person. `dataForTenant` receives the tenant's pairwise
 * subject; the payload's `person_id` is always that subject, and the internal person id may not appear.
 */
export async function emitToPersonTenants(
  trx: Queryable,
  personId: string,
  type: EventType,
  dataForTenant: (tenantId: string, sub: string) => Record<string, unknown>,
  opts: { at?: Date } = {},
): Promise<{ ids: string[] }> {
  if (!isEventType(type)) throw new Error(`unknown webhook event type ${String(type)}`);
  const subjects = await webhookStore.subjectsOfPerson(trx, personId);
  const rows = subjects.map(({ tenant_id, sub }) => {
    const data = { ...dataForTenant(tenant_id, sub), person_id: sub };
    if (JSON.stringify(data).includes(personId)) throw new Error('webhook payload must not contain the internal person id');
    assertSafePayload(data);
    return { id: newId('evt', 16), tenant_id, type, data, endpoint_id: null, created_at: opts.at };
  });
  if (rows.length === 0) return { ids: [] };
  await webhookStore.insertEvents(trx, rows);
  await notifyRelay(trx);
  return { ids: rows.map((r) => r.id) };
}

/** `person.assurance.changed` to every tenant of the person, with old and new status/tier. */
export function emitAssuranceChanged(
  trx: Queryable,
  personId: string,
  change: { previous: AssuranceState; current: AssuranceState; reason?: string },
): Promise<{ ids: string[] }> {
  return emitToPersonTenants(trx, personId, 'person.assurance.changed', () => ({
    previous: { status: change.previous.status, tier: change.previous.tier },
    current: { status: change.current.status, tier: change.current.tier },
    ...(change.reason ? { reason: change.reason } : {}),
  }));
}
