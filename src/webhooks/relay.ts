// The relay: committed outbox events → one delivery row per subscribed endpoint → the delivery queue.
// Several relays (processes) can run at once: FOR UPDATE SKIP LOCKED gives each a disjoint batch.
import crypto from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { log } from '../log.js';
import { outages } from '../db/outage.js';
import { OUTBOX_CHANNEL } from './outbox.js';
import type { DeliveryQueue } from './queue.js';
import { webhookStore } from './store.js';

/** `webhook-id`: stable for an (event, endpoint) pair, so retries and duplicates carry the same id.
 * The relay computes the same value in SQL (webhookStore.relayBatch). */
export function deliveryId(eventId: string, endpointId: string): string {
  return `msg_${crypto.createHash('sha256').update(`${eventId}:${endpointId}`).digest('base64url').slice(0, 24)}`;
}

export interface RelayOptions {
  batchSize?: number;
  /** Longest idle sleep between outbox checks (NOTIFY usually wakes the relay sooner). */
  maxIdleMs?: number;
}

export class Relay {
  private stopping = false;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private notified = false;
  private unlisten: (() => Promise<void>) | undefined;
  private readonly batchSize: number;
  private readonly maxIdleMs: number;

  constructor(
    private readonly db: Database,
    private readonly queue: DeliveryQueue,
    private readonly clock: Clock,
    opts: RelayOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 500;
    // NOTIFY (a commit to the outbox) wakes the relay; the poll only covers notifications lost with a connection.
    this.maxIdleMs = opts.maxIdleMs ?? 1000;
  }

  /** Moves one batch; returns how many events it took. */
  async runOnce(): Promise<number> {
    const now = this.clock.now();
    const { events, ids } = await webhookStore.relayBatch(this.db.knex, this.batchSize, now);
    // After commit. A crash right here leaves rows the queue doesn't know: the reconciler re-adds them.
    await this.queue.enqueue(ids.map((id) => ({ id, at: now })));
    return events;
  }

  /** Relays until the outbox is empty (tests, shutdown). */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.runOnce(); n > 0; n = await this.runOnce()) total += n;
    return total;
  }

  start(): void {
    if (this.running) return;
    const wake = () => {
      this.notified = true;
      this.wake?.();
    };
    this.unlisten = this.db.listen(OUTBOX_CHANNEL, { message: wake, reset: wake, heard: () => undefined });
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
    await this.unlisten?.().catch(() => undefined);
    this.unlisten = undefined;
  }

  private async loop(): Promise<void> {
    let idle = 25;
    while (!this.stopping) {
      this.notified = false;
      let n = 0;
      try {
        n = await this.runOnce();
      } catch (err) {
        // An outage is logged once (db/outage.ts), not on every poll.
        if (!outages.note(err)) log.error('webhook relay failed', { err: (err as Error).message });
      }
      if (n >= this.batchSize || this.notified) continue;
      if (n > 0) idle = 25;
      // Backoff poll: NOTIFY wakes us at once; the poll covers missed notifications.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, idle);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
      idle = Math.min(this.maxIdleMs, idle * 2);
    }
  }
}
