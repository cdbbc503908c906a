// Redis only: puts back pending deliveries the queue has lost — a relay that died between its commit and
// ZADD, or a Redis restarted without persistence. Runs rarely, in one process at a time (a Redis lock), and
// ZADD NX leaves deliveries the queue already holds untouched.
import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import type { DeliveryQueue } from './queue.js';
import { webhookStore } from './store.js';

export async function reconcileQueue(
  db: Database,
  redis: Redis,
  queue: DeliveryQueue,
  clock: Clock,
  opts: { prefix: string; graceMs: number; lockMs: number },
): Promise<number> {
  const lockKey = `${opts.prefix}wh:reconcile-lock`;
  const token = crypto.randomBytes(8).toString('hex');
  if ((await redis.set(lockKey, token, 'PX', opts.lockMs, 'NX')) !== 'OK') return 0;
  // Only deliveries overdue by more than a lease can be lost; younger ones may be in a relay's hands right now.
  const before = new Date(clock.now().getTime() - opts.graceMs);
  let after = '';
  let total = 0;
  for (;;) {
    const page = await webhookStore.overduePending(db.knex, before, after, 1000);
    if (page.length === 0) break;
    await queue.enqueue(page.map((p) => ({ id: p.id, at: p.next_attempt_at })));
    total += page.length;
    after = page[page.length - 1]!.id;
  }
  return total;
}
