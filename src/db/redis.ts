// Optional Redis: present only when REDIS_URL is set.
import { Redis } from 'ioredis';

export function openRedis(url: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
    lazyConnect: false,
  });
  // Connection errors surface through readiness and failed commands; don't crash the process on them.
  redis.on('error', () => undefined);
  return redis;
}

export function describeRedis(url: string): string {
  const u = new URL(url);
  return `redis ${u.hostname}:${u.port || 6379}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
}
