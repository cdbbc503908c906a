// Endpoint administration for a tenant: every lookup is scoped by tenant, so foreign ids are plain 404s.
import type { Redis } from 'ioredis';
import type { AuditActor } from '../audit/chain.js';
import type { AuditEntry, AuditRecorder } from '../audit/service.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { SecretBox } from '../crypto/seal.js';
import type { Database } from '../db/index.js';
import { BadRequestError, ConflictError, NotFoundError } from '../http/errors.js';
import { newId } from '../ids.js';
import { ALL_EVENTS } from './catalog.js';
import { emitEvent } from './outbox.js';
import { RedisQueue } from './queue.js';
import { deliveryId } from './relay.js';
import { generateSigningSecret } from './secrets.js';
import { AllowList, urlRefusal } from './ssrf.js';
import { webhookStore, type AttemptRow, type EndpointRow } from './store.js';

export const MAX_ENDPOINTS_PER_TENANT = 50;
export const ROTATION_OVERLAP_MS = 24 * 3600e3;

/** What the webhook service and workers are built from (compose.ts, worker.ts). */
export interface WebhookDeps {
  config: Config;
  db: Database;
  redis: Redis | undefined;
  clock: Clock;
  /** Opens and seals endpoints' signing secrets (its key is derived once at start-up from the instance secret). */
  webhookSecrets: SecretBox;
}

/** The endpoint administration also writes the tenant's audit trail (workers don't need it). */
type ServiceDeps = WebhookDeps & { audit: AuditRecorder };

const endpointEntry = (tenantId: string, actor: AuditActor, action: string, id: string, details?: Record<string, unknown>): AuditEntry => ({
  tenantId,
  actor,
  action: `webhook_endpoint.${action}`,
  object: { type: 'webhook_endpoint', id },
  ...(details ? { details } : {}),
});

/** Whose endpoints: a tenant id (live, as the console and CLI pass it) or a tenant in a mode (the API's key). */
export type TenantRef = string | Readonly<{ tenantId: string; livemode: boolean }>;
const scopeOf = (t: TenantRef) => (typeof t === 'string' ? { tenantId: t, livemode: true } : t);

export interface EndpointView {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  disabled_reason: string | null;
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
  livemode: boolean;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function view(row: EndpointRow, now: Date): EndpointView {
  const prevValid = row.previous_secret_expires_at && row.previous_secret_expires_at > now;
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events,
    enabled: row.enabled,
    disabled_reason: row.disabled_reason,
    previous_secret_expires_at: prevValid ? iso(row.previous_secret_expires_at) : null,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
    livemode: row.livemode,
  };
}

function checkUrl(deps: ServiceDeps, url: string): string {
  const reason = urlRefusal(url, { isProduction: deps.config.isProduction, allow: new AllowList(deps.config.webhooks.allowHosts) });
  if (reason) throw new BadRequestError('invalid_url', `The endpoint URL ${reason}.`);
  return new URL(url).toString();
}

const normaliseEvents = (events: string[]) => (events.includes(ALL_EVENTS) ? [ALL_EVENTS] : [...new Set(events)].sort());

async function mustFind(deps: ServiceDeps, tenant: TenantRef, id: string): Promise<EndpointRow> {
  const { tenantId, livemode } = scopeOf(tenant);
  const row = await webhookStore.findEndpoint(deps.db.knex, tenantId, id, livemode);
  if (!row) throw new NotFoundError('Webhook endpoint');
  return row;
}

export async function createEndpoint(
  deps: ServiceDeps,
  tenant: TenantRef,
  input: { url: string; events: string[]; description?: string | null },
  actor: AuditActor,
): Promise<EndpointView & { secret: string }> {
  const { tenantId, livemode } = scopeOf(tenant);
  const url = checkUrl(deps, input.url);
  if ((await webhookStore.countEndpoints(deps.db.knex, tenantId)) >= MAX_ENDPOINTS_PER_TENANT) {
    throw new ConflictError('limit_reached', `A tenant can have at most ${MAX_ENDPOINTS_PER_TENANT} webhook endpoints.`);
  }
  const id = newId('we');
  const secret = generateSigningSecret();
  const now = deps.clock.now();
  const events = normaliseEvents(input.events);
  await deps.db.knex.transaction(async (trx) => {
    await webhookStore.insertEndpoint(trx, {
      id,
      tenant_id: tenantId,
      livemode,
      url,
      description: input.description ?? null,
      events,
      enabled: true,
      secret_enc: deps.webhookSecrets.seal(secret, id),
      created_at: now,
      updated_at: now,
    });
    await deps.audit.record(endpointEntry(tenantId, actor, 'created', id, { url, events }), trx);
  });
  return { ...view(await mustFind(deps, tenant, id), now), secret };
}

export async function listEndpoints(deps: ServiceDeps, tenant: TenantRef): Promise<EndpointView[]> {
  const { tenantId, livemode } = scopeOf(tenant);
  const now = deps.clock.now();
  return (await webhookStore.listEndpoints(deps.db.knex, tenantId, livemode)).map((r) => view(r, now));
}

export async function getEndpoint(deps: ServiceDeps, tenant: TenantRef, id: string): Promise<EndpointView> {
  return view(await mustFind(deps, tenant, id), deps.clock.now());
}

export async function updateEndpoint(
  deps: ServiceDeps,
  tenant: TenantRef,
  id: string,
  patch: { url?: string; events?: string[]; enabled?: boolean; description?: string | null },
  actor: AuditActor,
): Promise<EndpointView> {
  const { tenantId } = scopeOf(tenant);
  const row = await mustFind(deps, tenant, id);
  const now = deps.clock.now();
  const change = {
    ...(patch.url !== undefined ? { url: checkUrl(deps, patch.url) } : {}),
    ...(patch.events !== undefined ? { events: normaliseEvents(patch.events) } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    // Re-enabling starts a fresh health record.
    ...(patch.enabled === true ? { enabled: true, disabled_reason: null, failing_since: null } : {}),
    ...(patch.enabled === false ? { enabled: false, disabled_reason: 'disabled_by_tenant' } : {}),
  };
  await deps.db.knex.transaction(async (trx) => {
    await webhookStore.updateEndpoint(trx, row.id, { ...change, updated_at: now });
    // The new values of what changed (a description is the tenant's own text, so only that it changed).
    const { description, ...shown } = change;
    await deps.audit.record(endpointEntry(tenantId, actor, 'updated', row.id, { ...shown, ...(description !== undefined ? { description_changed: true } : {}) }), trx);
  });
  return getEndpoint(deps, tenant, id);
}

export async function deleteEndpoint(deps: ServiceDeps, tenant: TenantRef, id: string, actor: AuditActor): Promise<void> {
  const { tenantId, livemode } = scopeOf(tenant);
  await deps.db.knex.transaction(async (trx) => {
    if ((await webhookStore.deleteEndpoint(trx, tenantId, id, livemode)) === 0) throw new NotFoundError('Webhook endpoint');
    await deps.audit.record(endpointEntry(tenantId, actor, 'deleted', id), trx);
  });
}

/**
 * New secret now; the old one keeps signing (second signature) for `overlapMs` (default 24 h) so receivers can
 * switch over. An overlap of 0 drops the old secret at once (it leaked): only the new one signs from now on.
 */
export async function rotateSecret(
  deps: ServiceDeps,
  tenant: TenantRef,
  id: string,
  actor: AuditActor,
  overlapMs = ROTATION_OVERLAP_MS,
): Promise<{ id: string; secret: string; previous_secret_expires_at: string | null }> {
  const { tenantId } = scopeOf(tenant);
  const row = await mustFind(deps, tenant, id);
  const now = deps.clock.now();
  const secret = generateSigningSecret();
  const expires = overlapMs > 0 ? new Date(now.getTime() + overlapMs) : null;
  await deps.db.knex.transaction(async (trx) => {
    await webhookStore.updateEndpoint(trx, row.id, {
      secret_enc: deps.webhookSecrets.seal(secret, row.id),
      previous_secret_enc: expires ? row.secret_enc : null,
      previous_secret_expires_at: expires,
      updated_at: now,
    });
    await deps.audit.record(endpointEntry(tenantId, actor, 'secret_rotated', row.id, { overlap_seconds: Math.round(overlapMs / 1000) }), trx);
  });
  return { id: row.id, secret, previous_secret_expires_at: expires ? expires.toISOString() : null };
}

export async function sendTestEvent(deps: ServiceDeps, tenant: TenantRef, id: string): Promise<{ event_id: string }> {
  const { tenantId } = scopeOf(tenant);
  const row = await mustFind(deps, tenant, id);
  if (!row.enabled) throw new ConflictError('endpoint_disabled', 'The endpoint is disabled; enable it before sending a test event.');
  const { id: eventId } = await deps.db.knex.transaction((trx) =>
    emitEvent(trx, { tenantId, type: 'webhook.test', data: { endpoint_id: row.id, message: 'This is a test event from KYCPort.' }, endpointId: row.id, livemode: row.livemode }),
  );
  return { event_id: eventId };
}

export interface AttemptView {
  id: string;
  kind: string;
  webhook_id: string | null;
  event_id: string | null;
  attempt: number | null;
  status_code: number | null;
  latency_ms: number | null;
  error: string | null;
  next_retry_at: string | null;
  created_at: string;
  livemode: boolean;
}

export async function listAttempts(
  deps: ServiceDeps,
  tenant: TenantRef,
  endpointId: string,
  page: { limit: number; before?: number },
): Promise<{ data: AttemptView[]; next_cursor: string | null }> {
  const { tenantId, livemode } = scopeOf(tenant);
  await mustFind(deps, tenant, endpointId);
  const rows: AttemptRow[] = await webhookStore.listAttempts(deps.db.knex, tenantId, endpointId, page.limit, page.before);
  return {
    data: rows.map((r) => ({
      id: String(r.id),
      kind: r.kind,
      webhook_id: r.delivery_id,
      event_id: r.event_id,
      attempt: r.attempt,
      status_code: r.status_code,
      latency_ms: r.latency_ms,
      error: r.error,
      next_retry_at: iso(r.next_retry_at),
      created_at: iso(r.created_at)!,
      livemode,
    })),
    next_cursor: rows.length === page.limit ? String(rows[rows.length - 1]!.id) : null,
  };
}

/** Sends an event again: to one endpoint, or to every enabled endpoint that had it or subscribes to it now. */
export async function redeliverEvent(
  deps: ServiceDeps,
  tenant: TenantRef,
  eventId: string,
  opts: { endpointId?: string } = {},
): Promise<{ event_id: string; webhook_ids: string[] }> {
  const { tenantId, livemode } = scopeOf(tenant);
  const now = deps.clock.now();
  const ids = await deps.db.knex.transaction(async (trx) => {
    const event = await webhookStore.findEvent(trx, tenantId, eventId);
    if (event?.livemode !== livemode) throw new NotFoundError('Event');
    if (opts.endpointId && !(await webhookStore.findEndpoint(trx, tenantId, opts.endpointId, livemode))) throw new NotFoundError('Webhook endpoint');
    const endpoints = (await webhookStore.listEndpoints(trx, tenantId, livemode)).filter((e) => e.enabled && (!opts.endpointId || e.id === opts.endpointId));
    const existing = new Map((await webhookStore.deliveriesOfEvent(trx, eventId)).map((d) => [d.endpoint_id, d.id]));
    const targets = endpoints.filter(
      (e) =>
        existing.has(e.id) ||
        e.id === opts.endpointId ||
        (event.endpoint_id ? e.id === event.endpoint_id : e.events.includes(event.type) || e.events.includes(ALL_EVENTS)),
    );
    if (opts.endpointId && targets.length === 0) throw new ConflictError('endpoint_disabled', 'The endpoint is disabled.');
    const fresh = targets.filter((e) => !existing.has(e.id));
    await webhookStore.resetDeliveries(trx, targets.filter((e) => existing.has(e.id)).map((e) => existing.get(e.id)!), now);
    await webhookStore.insertDeliveries(
      trx,
      fresh.map((e) => ({ id: deliveryId(event.id, e.id), event_id: event.id, endpoint_id: e.id, tenant_id: tenantId, status: 'pending', next_attempt_at: now, created_at: now })),
    );
    return targets.map((e) => existing.get(e.id) ?? deliveryId(event.id, e.id));
  });
  // Replace any scheduled time the queue holds: a redelivery is due now.
  if (deps.redis && ids.length) await new RedisQueue(deps.redis, deps.config.redisPrefix, deps.clock, 0).enqueue(ids.map((id) => ({ id, at: now })), { replace: true });
  return { event_id: eventId, webhook_ids: ids };
}

export type WebhookService = ReturnType<typeof createWebhookService>;

/** The endpoint administration above, bound to its dependencies once (compose.ts). */
export function createWebhookService(deps: ServiceDeps) {
  return {
    createEndpoint: (tenant: TenantRef, input: { url: string; events: string[]; description?: string | null }, actor: AuditActor) => createEndpoint(deps, tenant, input, actor),
    listEndpoints: (tenant: TenantRef) => listEndpoints(deps, tenant),
    getEndpoint: (tenant: TenantRef, id: string) => getEndpoint(deps, tenant, id),
    updateEndpoint: (tenant: TenantRef, id: string, patch: { url?: string; events?: string[]; enabled?: boolean; description?: string | null }, actor: AuditActor) =>
      updateEndpoint(deps, tenant, id, patch, actor),
    deleteEndpoint: (tenant: TenantRef, id: string, actor: AuditActor) => deleteEndpoint(deps, tenant, id, actor),
    rotateSecret: (tenant: TenantRef, id: string, actor: AuditActor, overlapMs?: number) => rotateSecret(deps, tenant, id, actor, overlapMs),
    sendTestEvent: (tenant: TenantRef, id: string) => sendTestEvent(deps, tenant, id),
    listAttempts: (tenant: TenantRef, endpointId: string, page: { limit: number; before?: number }) => listAttempts(deps, tenant, endpointId, page),
    redeliverEvent: (tenant: TenantRef, eventId: string, opts: { endpointId?: string } = {}) => redeliverEvent(deps, tenant, eventId, opts),
  };
}
