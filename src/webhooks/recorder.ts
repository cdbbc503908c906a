// Writes attempt outcomes in batches (one transaction per flush, so Postgres sees few commits under load),
// then tells the queue. If the write fails nothing is acknowledged: leases expire and deliveries are retried.
// `add` resolves once the outcome is committed, and the dispatcher holds the delivery's slot until then: sends
// cannot run ahead of the writes, so a crash re-sends at most the deliveries in flight (WEBHOOK_CONCURRENCY),
// not a backlog of sent-but-unrecorded ones.
import type { Database, Queryable } from '../db/index.js';
import { log } from '../log.js';
import type { SendResult } from './http-client.js';
import { emitEvent } from './outbox.js';
import type { DeliveryQueue } from './queue.js';
import { nextAttemptAt, parseRetryAfter, type RetryPolicy } from './retry.js';
import { webhookStore, type AttemptInsert, type DeliveryJob, type DeliveryUpdate } from './store.js';

export interface Outcome {
  job: DeliveryJob;
  result: SendResult;
  at: Date;
}

export interface RecorderOptions {
  policy: RetryPolicy;
  /** An endpoint whose attempts have all failed for this long is disabled. */
  disableAfterMs: number;
  maxBatch?: number;
  flushDelayMs?: number;
}

interface Health {
  tenantId: string;
  url: string;
  lastOk: boolean;
  lastAt: Date;
  firstFailAt: Date | undefined;
  gone: boolean;
}

export const isSuccess = (r: SendResult): boolean => r.statusCode !== undefined && r.statusCode >= 200 && r.statusCode < 300;

export class Recorder {
  private buffer: Outcome[] = [];
  private written: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly queue: DeliveryQueue,
    private readonly opts: RecorderOptions,
  ) {}

  /** Resolves when the outcome is written (or its write failed and was logged: the lease then retries it). */
  add(o: Outcome): Promise<void> {
    const written = new Promise<void>((resolve) => this.written.push(resolve));
    this.buffer.push(o);
    if (this.buffer.length >= (this.opts.maxBatch ?? 200)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.flushDelayMs ?? 5);
    return written;
  }

  /** Writes everything buffered so far; resolves when written (or failed and logged). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    const waiting = this.written;
    this.buffer = [];
    this.written = [];
    // One write at a time: outcomes that arrive meanwhile form the next batch (group commit).
    this.chain = this.chain.then(() => (batch.length ? this.write(batch) : undefined)).finally(() => waiting.forEach((w) => w()));
    return this.chain;
  }

  private async write(batch: Outcome[]): Promise<void> {
    const updates: DeliveryUpdate[] = [];
    const attempts: AttemptInsert[] = [];
    const done: string[] = [];
    const retry: { id: string; at: Date }[] = [];
    const health = new Map<string, Health>();
    for (const { job, result, at } of batch) {
      const ok = isSuccess(result);
      const attempt = job.attempts + 1;
      const gone = result.statusCode === 410;
      const next = ok || gone ? undefined : nextAttemptAt(this.opts.policy, attempt, at, parseRetryAfter(result.retryAfter, at));
      updates.push({
        id: job.id,
        status: ok ? 'delivered' : next ? 'pending' : 'failed',
        attempts: attempt,
        next_attempt_at: next ?? null,
        last_status_code: result.statusCode ?? null,
        last_error: result.error ?? null,
        delivered_at: ok ? at : null,
      });
      attempts.push({
        tenant_id: job.tenant_id,
        endpoint_id: job.endpoint_id,
        delivery_id: job.id,
        event_id: job.event_id,
        kind: 'attempt',
        attempt,
        status_code: result.statusCode ?? null,
        latency_ms: result.latencyMs,
        error: result.error ?? null,
        next_retry_at: next ?? null,
        created_at: at,
      });
      if (next) retry.push({ id: job.id, at: next });
      else done.push(job.id);
      const h = health.get(job.endpoint_id) ?? { tenantId: job.tenant_id, url: job.url, lastOk: ok, lastAt: at, firstFailAt: undefined, gone: false };
      if (at >= h.lastAt) {
        h.lastOk = ok;
        h.lastAt = at;
      }
      if (!ok && (!h.firstFailAt || at < h.firstFailAt)) h.firstFailAt = at;
      h.gone ||= gone;
      health.set(job.endpoint_id, h);
    }
    try {
      await this.db.knex.transaction(async (trx) => {
        await webhookStore.updateDeliveries(trx, updates);
        await webhookStore.insertAttempts(trx, attempts);
        await this.applyHealth(trx, health, batch[batch.length - 1]!.at);
      });
    } catch (err) {
      log.error('webhook outcome write failed; deliveries will be retried after their lease', { err: (err as Error).message, n: batch.length });
      return;
    }
    await this.queue.settle(done, retry).catch((err: Error) => log.warn('webhook queue settle failed', { err: err.message }));
  }

  private async applyHealth(trx: Queryable, health: Map<string, Health>, now: Date): Promise<void> {
    const healthy = [...health].filter(([, h]) => h.lastOk && !h.gone).map(([id]) => id);
    if (healthy.length) await trx('webhook_endpoints').whereIn('id', healthy).whereNotNull('failing_since').update({ failing_since: null });
    for (const [id, h] of health) {
      if (h.lastOk && !h.gone) continue;
      const row = await webhookStore.markFailing(trx, id, h.firstFailAt ?? h.lastAt);
      if (!row?.enabled) continue;
      if (h.gone) await disableEndpoint(trx, { id, tenantId: h.tenantId, url: h.url }, 'gone', 'The receiver answered 410 Gone.', now);
      else if (now.getTime() - row.failing_since.getTime() >= this.opts.disableAfterMs) {
        const days = Math.round(this.opts.disableAfterMs / 86_400_000);
        await disableEndpoint(trx, { id, tenantId: h.tenantId, url: h.url }, 'failing', `Every delivery failed for ${days} days.`, now);
      }
    }
  }
}

/** Turns an endpoint off, says so in its attempt log, and tells the tenant's other endpoints. */
export async function disableEndpoint(
  trx: Queryable,
  ep: { id: string; tenantId: string; url: string },
  reason: 'gone' | 'failing',
  message: string,
  at: Date,
): Promise<void> {
  await trx('webhook_endpoints').where({ id: ep.id }).update({ enabled: false, disabled_reason: reason, updated_at: at });
  await webhookStore.insertAttempts(trx, [
    {
      tenant_id: ep.tenantId,
      endpoint_id: ep.id,
      delivery_id: null,
      event_id: null,
      kind: 'webhook.endpoint.disabled',
      attempt: null,
      status_code: null,
      latency_ms: null,
      error: message,
      next_retry_at: null,
      created_at: at,
    },
  ]);
  await emitEvent(trx, { tenantId: ep.tenantId, type: 'webhook.endpoint.disabled', data: { endpoint_id: ep.id, url: ep.url, reason, message }, at });
  log.warn('webhook endpoint disabled', { endpoint_id: ep.id, tenant_id: ep.tenantId, reason });
}
