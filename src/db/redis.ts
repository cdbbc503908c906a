// Optional Redis: present only when REDIS_URL is set. Request paths must fail fast when it is unreachable: no
// offline queue (a command while disconnected fails at once instead of waiting for a reconnect) and a command
// timeout (a connection that stopped answering fails the command after `commandTimeoutMs`). Callers answer
// 503 + Retry-After (db/outage.ts); ioredis keeps reconnecting in the background, so recovery needs no restart.
import { Redis } from 'ioredis';
import { outages } from './outage.js';

export function openRedis(url: string, opts: { commandTimeoutMs: number }): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    commandTimeout: opts.commandTimeoutMs,
    // A command in flight when the connection drops fails instead of being re-sent after a reconnect.
    maxRetriesPerRequest: 0,
    connectTimeout: 5_000,
    enableAutoPipelining: true,
    lazyConnect: false,
  });
  // Connection errors repeat while ioredis retries: one log line per outage, one when it is back.
  redis.on('error', (err) => outages.down('redis', err));
  redis.on('ready', () => outages.up('redis'));
  return redis;
}

/** Resolves once the connection is ready for commands (the offline queue is off, so callers wait here). */
export function redisReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(Object.assign(new Error(`Redis did not become ready within ${timeoutMs} ms`), { dependency: 'redis' }));
    }, timeoutMs);
    redis.once('ready', onReady);
  });
}

export function describeRedis(url: string): string {
  const u = new URL(url);
  return `redis ${u.hostname}:${u.port || 6379}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
}
