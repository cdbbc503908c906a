// Writes attempt outcomes in batches (one statement per batch, so Postgres sees few commits under load), then
// tells the queue. If the write fails nothing is acknowledged: leases expire and deliveries are retried.
// `add` resolves once the outcome is committed; the dispatcher holds the delivery's slot until then (see
// dispatcher.ts for the bound that buys). So that holding slots does not pace the sends, a batch starts at once
// (group commit: what arrives while the writes are busy forms the next batch) and up to `maxWrites` overlap.
import type { Database, Queryable } from '../db/index.js';
import { log } from '../log.js';
import type { SendResult } from './http-client.js';
import { emitEvent } from './outbox.js';
import type { DeliveryQueue } from './queue.js';
import { nextAttemptAt, parseRetryAfter, type RetryPolicy } from './retry.js';
import { webhookStore, type DeliveryJob, type OutcomeWrite } from './store.js';

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
  /** Batch writes in progress at once (each holds a pool connection). */
  maxWrites?: number;
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
  private buffer: { outcome: Outcome; written: () => void }[] = [];
  private writes = 0;
  private scheduled = false;
  /** Batch writes and queue updates not finished yet (flush waits for them). */
  private readonly busy = new Set<Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly queue: DeliveryQueue,
    private readonly opts: RecorderOptions,
  ) {}

  /** Resolves when the outcome is committed (or its write failed and was logged: the lease then retries it). */
  add(outcome: Outcome): Promise<void> {
    return new Promise<void>((written) => {
      this.buffer.push({ outcome, written });
      // Outcomes that arrive in the same turn of the event loop share a batch.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.startWrites();
        });
      }
    });
  }

  /** Writes everything added so far, and its queue updates; resolves when all are done (or failed and logged). */
  async flush(): Promise<void> {
    this.startWrites();
    while (this.busy.size) await Promise.all([...this.busy]);
  }

  private startWrites(): void {
    while (this.buffer.length && this.writes < (this.opts.maxWrites ?? 4)) {
      const batch = this.buffer.splice(0, this.opts.maxBatch ?? 200);
      this.writes++;
      const done = this.write(batch.map((b) => b.outcome)).then((settle) => {
        this.writes--;
        batch.forEach((b) => b.written());
        this.startWrites();
        // The queue update need not hold slots: a delivery it misses is not due again until Postgres says so.
        if (settle) this.track(settle());
      });
      this.track(done);
    }
  }

  private track(p: Promise<void>): void {
    this.busy.add(p);
    void p.finally(() => this.busy.delete(p));
  }

  /** Commits the batch; returns its queue update, or nothing when the write failed. */
  private async write(batch: Outcome[]): Promise<(() => Promise<void>) | undefined> {
    try {
      return await this.commit(batch);
    } catch (err) {
      log.error('webhook outcome write failed; deliveries will be retried after their lease', { err: (err as Error).message, n: batch.length });
      return undefined;
    }
  }

  private async commit(batch: Outcome[]): Promise<() => Promise<void>> {
    const rows: OutcomeWrite[] = [];
    const done: string[] = [];
    const retry: { id: string; at: Date }[] = [];
    const health = new Map<string, Health>();
    for (const { job, result, at } of batch) {
      const ok = isSuccess(result);
      const attempt = job.attempts + 1;
      const gone = result.statusCode === 410;
      const next = ok || gone ? undefined : nextAttemptAt(this.opts.policy, attempt, at, parseRetryAfter(result.retryAfter, at));
      rows.push({
        id: job.id,
        status: ok ? 'delivered' : next ? 'pending' : 'failed',
        attempts: attempt,
        next_attempt_at: next ?? null,
        last_status_code: result.statusCode ?? null,
        last_error: result.error ?? null,
        delivered_at: ok ? at : null,
        tenant_id: job.tenant_id,
        endpoint_id: job.endpoint_id,
        event_id: job.event_id,
        latency_ms: result.latencyMs,
        at,
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
    const healthRows = [...health].map(([id, h]) => ({ id, ok: h.lastOk && !h.gone, failingSince: h.firstFailAt ?? h.lastAt }));
    const changed = await webhookStore.recordOutcomes(this.db.knex, rows, healthRows);
    await this.disableDead(changed, health, batch[batch.length - 1]!.at);
    return () => this.queue.settle(done, retry).catch((err: Error) => log.warn('webhook queue settle failed', { err: err.message }));
  }

  /**
   * After the outcomes' commit: a crash in between leaves a dead endpoint enabled until its next failure, which
   * checks again. Failing here does not undo the outcomes, so it is logged on its own.
   */
  private async disableDead(
    changed: { id: string; enabled: boolean; failing_since: Date | null }[],
    health: Map<string, Health>,
    now: Date,
  ): Promise<void> {
    for (const row of changed) {
      const h = health.get(row.id)!;
      if (!row.enabled || !row.failing_since) continue;
      const ep = { id: row.id, tenantId: h.tenantId, url: h.url };
      const days = Math.round(this.opts.disableAfterMs / 86_400_000);
      const why = h.gone
        ? ({ reason: 'gone', message: 'The receiver answered 410 Gone.' } as const)
        : now.getTime() - row.failing_since.getTime() >= this.opts.disableAfterMs
          ? ({ reason: 'failing', message: `Every delivery failed for ${days} days.` } as const)
          : undefined;
      if (!why) continue;
      await this.db.knex
        .transaction((trx) => disableEndpoint(trx, ep, why.reason, why.message, now))
        .catch((err: Error) => log.error('webhook endpoint disable failed', { endpoint_id: row.id, err: err.message }));
    }
  }
}

/** Turns an endpoint off, says so in its attempt log, and tells the tenant's other endpoints (once: not if already off). */
async function disableEndpoint(
  trx: Queryable,
  ep: { id: string; tenantId: string; url: string },
  reason: 'gone' | 'failing',
  message: string,
  at: Date,
): Promise<void> {
  const off = await trx('webhook_endpoints').where({ id: ep.id, enabled: true }).update({ enabled: false, disabled_reason: reason, updated_at: at }).returning('id');
  if (off.length === 0) return;
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
