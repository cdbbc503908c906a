// The dispatcher: claims due deliveries from the queue, sends them (many in flight), and hands outcomes to
// the recorder. Postgres decides what is still owed; the queue only decides when to look.
import type { Clock } from '../clock.js';
import type { SecretBox } from '../crypto/seal.js';
import type { Database } from '../db/index.js';
import { errorReporter, log } from '../log.js';
import { outages } from '../db/outage.js';
import type { EventEnvelope } from './catalog.js';
import type { SendResult, WebhookHttpClient } from './http-client.js';
import type { DeliveryQueue } from './queue.js';
import { Recorder, type RecorderOptions } from './recorder.js';
import { signedHeaders } from './signing.js';
import { webhookStore, type DeliveryJob } from './store.js';

export interface DispatcherOptions extends RecorderOptions {
  concurrency: number;
  /** Longest a claimed delivery waits for a slot before it is put back: its request and record must fit in its lease. */
  holdMs: number;
  /** Longest idle wait before looking at the queue again. */
  maxIdleMs?: number;
}

/** The JSON every receiver gets. */
export function envelope(job: Pick<DeliveryJob, 'event_id' | 'event_type' | 'event_created_at' | 'tenant_id' | 'event_data' | 'event_livemode'>): EventEnvelope {
  return {
    id: job.event_id,
    type: job.event_type,
    created_at: job.event_created_at.toISOString(),
    tenant_id: job.tenant_id,
    livemode: job.event_livemode,
    data: job.event_data,
  };
}

export class Dispatcher {
  private readonly recorder: Recorder;
  /** Deliveries sent (or being sent) whose outcome is not committed yet: at most `concurrency`. */
  private unrecorded = 0;
  private stopping = false;
  private running: Promise<void> | undefined;
  /** Claimed and loaded, waiting for a slot: a freed slot starts its next send without a round trip to the queue. */
  private ready: { job: DeliveryJob; claimedAt: number }[] = [];
  private slotWaiters: (() => void)[] = [];
  private readonly secrets = new Map<string, string>();
  private readonly failureLogs = new Map<string, (err: unknown) => void>();

  constructor(
    private readonly db: Database,
    private readonly queue: DeliveryQueue,
    private readonly client: WebhookHttpClient,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly opts: DispatcherOptions,
  ) {
    this.recorder = new Recorder(db, queue, opts);
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops claiming, lets in-flight deliveries finish and writes their outcomes. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.queue.interrupt();
    this.slotWaiters.splice(0).forEach((w) => w());
    await this.running;
    await this.putBack(this.ready.splice(0).map((r) => r.job.id));
    while (this.unrecorded > 0) await this.slotFreed();
    await this.recorder.flush();
  }

  /** Sends everything due now and records it (tests drive time with a manual clock). Returns attempts made. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const claimedAt = this.clock.now().getTime();
      const ids = await this.queue.claim(this.opts.concurrency);
      if (ids.length === 0) break;
      total += await this.dispatch(ids, claimedAt);
      while (this.unrecorded > 0) await this.slotFreed();
      await this.recorder.flush();
    }
    return total;
  }

  private async loop(): Promise<void> {
    const minBatch = Math.max(1, Math.floor(this.opts.concurrency / 4));
    while (!this.stopping) {
      // Up to a window's worth waits in `ready` besides the window itself.
      const free = 2 * this.opts.concurrency - this.unrecorded - this.ready.length;
      if (free < minBatch) {
        await this.slotFreed();
        continue;
      }
      try {
        const claimedAt = this.clock.now().getTime();
        const ids = await this.queue.claim(free);
        if (ids.length === 0) await this.queue.waitForWork(this.opts.maxIdleMs ?? 1000);
        else await this.dispatch(ids, claimedAt);
      } catch (err) {
        // Redis or Postgres unavailable: claimed work comes back when its lease ends.
        if (!outages.note(err)) log.error('webhook dispatch failed', { err: (err as Error).message });
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Loads the claimed deliveries and starts sending as many as slots allow; returns how many will be sent. */
  private async dispatch(ids: string[], claimedAt: number): Promise<number> {
    const jobs = await webhookStore.loadJobs(this.db.knex, ids);
    const found = new Set(jobs.map((j) => j.id));
    const done = ids.filter((id) => !found.has(id)); // endpoint or tenant deleted
    const later: { id: string; at: Date }[] = [];
    const cancelled: string[] = [];
    const now = this.clock.now();
    const ready: DeliveryJob[] = [];
    for (const job of jobs) {
      if (job.status !== 'pending') done.push(job.id);
      else if (!job.enabled) cancelled.push(job.id);
      else if (job.next_attempt_at && job.next_attempt_at.getTime() > now.getTime() + 1000) {
        // Reclaimed after a crash between the outcome write and the queue update: keep the recorded time.
        later.push({ id: job.id, at: job.next_attempt_at });
      } else ready.push(job);
    }
    if (cancelled.length) await webhookStore.cancelDeliveries(this.db.knex, cancelled, 'endpoint disabled');
    if (done.length || later.length || cancelled.length) await this.queue.settle([...done, ...cancelled], later);
    this.ready.push(...ready.map((job) => ({ job, claimedAt })));
    this.launchReady();
    return ready.length;
  }

  private launchReady(): void {
    if (this.stopping) return;
    const now = this.clock.now().getTime();
    const stale: string[] = [];
    while (this.unrecorded < this.opts.concurrency && this.ready.length) {
      const { job, claimedAt } = this.ready.shift()!;
      if (now - claimedAt > this.opts.holdMs) stale.push(job.id);
      else this.launch(job);
    }
    void this.putBack(stale);
  }

  /** Claimed but not sent: due again at once (for this or another worker) instead of when the lease ends. */
  private async putBack(ids: string[]): Promise<void> {
    if (ids.length) await this.queue.release(ids).catch((err: Error) => log.warn('webhook queue release failed', { err: err.message }));
  }

  /**
   * A slot is taken from the start of the request until the outcome is committed, so at any moment at most
   * `concurrency` deliveries have reached (or may have reached) the receiver without a durable outcome. Those are
   * all a crash can re-send: duplicates after a kill ≤ concurrency per dispatcher. Claimed deliveries not yet
   * sent are not among them (their lease just runs out). A failed write frees its slots too; those deliveries
   * come back after their lease, as after a crash. The recorder commits in overlapping batches and `ready` refills
   * a freed slot at once, so most of the window is sending, not waiting for a write or a claim.
   */
  private launch(job: DeliveryJob): void {
    this.unrecorded++;
    this.send(job)
      .then((result) => {
        if (result.detail) this.logFailure(job, result);
        return this.recorder.add({ job, result, at: this.clock.now() });
      })
      .catch((err: Error) => log.error('webhook send crashed', { delivery_id: job.id, err: err.message }))
      .finally(() => {
        this.unrecorded--;
        this.launchReady();
        this.slotWaiters.shift()?.();
      });
  }

  /** The detail behind a tenant's generic code, for the operator: at most one line per endpoint a minute. */
  private logFailure(job: DeliveryJob, result: SendResult): void {
    let report = this.failureLogs.get(job.endpoint_id);
    if (!report) {
      if (this.failureLogs.size > 10_000) this.failureLogs.clear();
      report = errorReporter('webhook delivery failed', { endpoint_id: job.endpoint_id, tenant_id: job.tenant_id });
      this.failureLogs.set(job.endpoint_id, report);
    }
    report({ code: result.error, message: result.detail });
  }

  private slotFreed(): Promise<void> {
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private async send(job: DeliveryJob): Promise<SendResult> {
    const now = this.clock.now();
    const keys = [this.secret(job.endpoint_id, job.secret_enc)];
    if (job.previous_secret_enc && job.previous_secret_expires_at && job.previous_secret_expires_at > now) {
      keys.push(this.secret(job.endpoint_id, job.previous_secret_enc));
    }
    const body = JSON.stringify(envelope(job));
    const headers = signedHeaders(keys, job.id, Math.floor(now.getTime() / 1000), body);
    return this.client.send(new URL(job.url), headers, body);
  }

  private secret(endpointId: string, sealed: string): string {
    const cacheKey = `${endpointId}:${sealed}`;
    let plain = this.secrets.get(cacheKey);
    if (!plain) {
      if (this.secrets.size > 10_000) this.secrets.clear();
      plain = this.box.open(sealed, endpointId);
      this.secrets.set(cacheKey, plain);
    }
    return plain;
  }
}
