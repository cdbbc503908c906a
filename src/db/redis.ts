// Optional Redis: present only when REDIS_URL is set.
import { Redis } from 'ioredis';
import { errorReporter } from '../log.js';

export function openRedis(url: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
    lazyConnect: false,
  });
  // Connection errors also surface through readiness and failed commands; log them (rate-limited while Redis is
  // down and ioredis retries) instead of crashing the process on them.
  redis.on('error', errorReporter('redis connection error', { redis: describeRedis(url) }));
  return redis;
}

export function describeRedis(url: string): string {
  const u = new URL(url);
  return `redis ${u.hostname}:${u.port || 6379}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
}
