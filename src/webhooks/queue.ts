// Where due deliveries wait. Postgres stays the source of truth (status, attempts, next_attempt_at); the queue
// only says which delivery to look at when. Two implementations with one contract:
//  - Redis: one sorted set, member = delivery id, score = due time (ms). Claiming moves the score to now+lease
//    (a visibility timeout), so a crashed worker's deliveries reappear when the lease runs out. Shared by any
//    number of worker processes; retries are just future scores, so nothing polls Postgres for them.
//  - Postgres (no Redis): the deliveries table itself, claimed with FOR UPDATE SKIP LOCKED and a lease column.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/index.js';
import { errorReporter } from '../log.js';
import { webhookStore } from './store.js';

export interface DeliveryQueue {
  readonly kind: 'redis' | 'postgres';
  /** Makes deliveries visible at their due time; adding one twice is harmless (`replace` moves an existing one). */
  enqueue(items: { id: string; at: Date }[], opts?: { replace?: boolean }): Promise<void>;
  /** Up to `n` due ids, hidden from other workers for the lease. */
  claim(n: number): Promise<string[]>;
  /** Claimed ids not sent after all (shutdown, waited too long): due again now, before their lease ends. */
  release(ids: string[]): Promise<void>;
  /** After Postgres has the outcome: finished ids leave, retries come back at their time. */
  settle(done: string[], retry: { id: string; at: Date }[]): Promise<void>;
  /** Resolves when new work may exist, or after at most `maxWaitMs`. */
  waitForWork(maxWaitMs: number): Promise<void>;
  /** Ends any pending wait (shutdown). */
  interrupt(): void;
  close(): Promise<void>;
}

// Atomically take due members and push their score to the lease end.
const CLAIM = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], 'XX', ARGV[3], id) end
return ids`;

/** The client once `defineCommand('kpWebhookClaim', …)` ran on it (ioredis adds the method at run time). */
type ClaimingRedis = Redis & { kpWebhookClaim(key: string, now: number, n: number, leaseUntil: number): Promise<string[]> };
const hasClaimCommand = (r: Redis): r is ClaimingRedis => 'kpWebhookClaim' in r && typeof r.kpWebhookClaim === 'function';

class Waiter {
  private readonly emitter = new EventEmitter();
  // A wake-up with nobody waiting is kept for the next wait, so work announced mid-claim isn't missed.
  private pending = false;
  wake(): void {
    if (this.emitter.listenerCount('wake') === 0) this.pending = true;
    this.emitter.emit('wake');
  }
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.emitter.off('wake', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.emitter.once('wake', done);
    });
  }
}

export class RedisQueue implements DeliveryQueue {
  readonly kind = 'redis';
  private readonly key: string;
  private readonly channel: string;
  private readonly waiter = new Waiter();
  private subscriber: Redis | undefined;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly clock: Clock,
    private readonly leaseMs: number,
  ) {
    this.key = `${prefix}wh:due`;
    this.channel = `${prefix}wh:wake`;
    if (!hasClaimCommand(this.redis)) {
      this.redis.defineCommand('kpWebhookClaim', { numberOfKeys: 1, lua: CLAIM });
    }
  }

  /** Subscribes to wake-ups from relays in any process (only workers that wait need it). */
  async listen(): Promise<void> {
    if (this.subscriber) return;
    // Subscriptions wait for the connection (and are renewed on reconnect): the offline queue is on here only.
    this.subscriber = this.redis.duplicate({ enableOfflineQueue: true });
    this.subscriber.on('error', errorReporter('redis subscriber error (webhook wake-ups)'));
    this.subscriber.on('message', () => this.waiter.wake());
    await this.subscriber.subscribe(this.channel);
  }

  async enqueue(items: { id: string; at: Date }[], opts: { replace?: boolean } = {}): Promise<void> {
    if (items.length === 0) return;
    // One round trip: the adds, then the wake-up for idle dispatchers in every process.
    const multi = this.redis.multi();
    for (let i = 0; i < items.length; i += 1000) {
      const args = items.slice(i, i + 1000).flatMap((it) => [it.at.getTime(), it.id]);
      if (opts.replace) multi.zadd(this.key, ...args);
      else multi.zadd(this.key, 'NX', ...args);
    }
    multi.publish(this.channel, '1');
    await multi.exec();
    // Dispatchers in this process need not wait for the message to come back from Redis.
    this.waiter.wake();
  }

  async claim(n: number): Promise<string[]> {
    const now = this.clock.now().getTime();
    if (!hasClaimCommand(this.redis)) throw new Error('kpWebhookClaim is not defined on this Redis client');
    return this.redis.kpWebhookClaim(this.key, now, n, now + this.leaseMs);
  }

  async release(ids: string[]): Promise<void> {
    // XX: a delivery settled meanwhile is not brought back.
    if (ids.length) await this.redis.zadd(this.key, 'XX', ...ids.flatMap((id) => [this.clock.now().getTime(), id]));
  }

  async settle(done: string[], retry: { id: string; at: Date }[]): Promise<void> {
    const multi = this.redis.multi();
    if (done.length) multi.zrem(this.key, ...done);
    if (retry.length) multi.zadd(this.key, ...retry.flatMap((r) => [r.at.getTime(), r.id]));
    if (done.length || retry.length) await multi.exec();
  }

  async waitForWork(maxWaitMs: number): Promise<void> {
    // RESP2 answers [member, score]; RESP3 answers [[member, score]].
    const reply = (await this.redis.call('zrange', this.key, 0, 0, 'WITHSCORES')) as unknown[];
    const pair = (Array.isArray(reply[0]) ? reply[0] : reply) as unknown[];
    const dueIn = pair.length >= 2 ? Number(pair[1]) - this.clock.now().getTime() : maxWaitMs;
    await this.waiter.wait(Math.min(maxWaitMs, Math.max(dueIn, 0)));
  }

  interrupt(): void {
    this.waiter.wake();
  }

  /** Number of deliveries the queue holds (due, leased or scheduled). */
  size(): Promise<number> {
    return this.redis.zcard(this.key);
  }

  close(): Promise<void> {
    this.waiter.wake();
    this.subscriber?.disconnect();
    this.subscriber = undefined;
    return Promise.resolve();
  }
}

export class PostgresQueue implements DeliveryQueue {
  readonly kind = 'postgres';
  private readonly waiter = new Waiter();

  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock,
    private readonly leaseMs: number,
  ) {}

  enqueue(items: { id: string; at: Date }[]): Promise<void> {
    // The relay already wrote the rows; wake this process's dispatchers.
    if (items.length) this.waiter.wake();
    return Promise.resolve();
  }

  claim(n: number): Promise<string[]> {
    const now = this.clock.now();
    return webhookStore.claimDue(this.db, now, new Date(now.getTime() + this.leaseMs), n);
  }

  async release(ids: string[]): Promise<void> {
    await webhookStore.releaseClaims(this.db, ids);
    this.waiter.wake();
  }

  async settle(): Promise<void> {
    // The outcome update already set next_attempt_at and cleared the lease.
  }

  async waitForWork(maxWaitMs: number): Promise<void> {
    const next = await webhookStore.nextDueAt(this.db);
    const dueIn = next ? next.getTime() - this.clock.now().getTime() : maxWaitMs;
    await this.waiter.wait(Math.min(maxWaitMs, Math.max(dueIn, 0)));
  }

  interrupt(): void {
    this.waiter.wake();
  }

  close(): Promise<void> {
    this.waiter.wake();
    return Promise.resolve();
  }
}
