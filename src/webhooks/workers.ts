// Starts the webhook delivery loops in this process: the outbox relay and the dispatchers. jobs.ts starts them
// (WEBHOOK_WORKERS dispatchers in the server, default 1; `npm run worker` runs them alone) together with the
// periodic webhook tasks (Redis reconciler, history retention).
import { log } from '../log.js';
import { Dispatcher } from './dispatcher.js';
import { WebhookHttpClient } from './http-client.js';
import { PostgresQueue, RedisQueue, type DeliveryQueue } from './queue.js';
import { Relay } from './relay.js';
import type { RetryPolicy } from './retry.js';
import type { WebhookDeps } from './service.js';
import { AllowList, systemResolver, type Resolver } from './ssrf.js';

export interface WebhookWorkerOptions {
  /** Dispatcher loops in this process (default config.webhooks.workers). */
  workers: number;
  concurrency: number;
  timeoutMs: number;
  retry: Partial<RetryPolicy>;
  /** How long a claimed delivery stays hidden from other workers: a request's timeout plus time to record it. */
  leaseMs: number;
  disableAfterMs: number;
  /** How often the Redis queue is reconciled with the database (jobs.ts). */
  reconcileIntervalMs: number;
  resolver: Resolver;
}

export type { WebhookDeps };

export interface WebhookParts {
  queue: DeliveryQueue;
  relay: Relay;
  dispatchers: Dispatcher[];
  client: WebhookHttpClient;
  options: WebhookWorkerOptions;
}

export function resolveOptions(deps: WebhookDeps, over: Partial<WebhookWorkerOptions> = {}): WebhookWorkerOptions {
  const w = deps.config.webhooks;
  const timeoutMs = over.timeoutMs ?? w.timeoutMs;
  // After a crash its unsent and unrecorded deliveries come back when this runs out. It covers the wait for a
  // slot (at most half the margin, then the delivery is put back), the request's timeout and the write.
  const leaseMs = over.leaseMs ?? timeoutMs + 10_000;
  return {
    workers: over.workers ?? w.workers,
    concurrency: over.concurrency ?? w.concurrency,
    timeoutMs,
    retry: over.retry ?? {},
    leaseMs,
    disableAfterMs: over.disableAfterMs ?? 5 * 86_400_000,
    reconcileIntervalMs: over.reconcileIntervalMs ?? Math.min(60_000, Math.max(5_000, 2 * leaseMs)),
    resolver: over.resolver ?? systemResolver,
  };
}

/** Builds the parts without starting loops (tests drive them step by step). */
export function buildWebhookParts(deps: WebhookDeps, over: Partial<WebhookWorkerOptions> = {}): WebhookParts {
  const options = resolveOptions(deps, over);
  const queue: DeliveryQueue = deps.redis
    ? new RedisQueue(deps.redis, deps.config.redisPrefix, deps.clock, options.leaseMs)
    : new PostgresQueue(deps.db.knex, deps.clock, options.leaseMs);
  const client = new WebhookHttpClient(options.resolver, new AllowList(deps.config.webhooks.allowHosts), options.timeoutMs);
  const policy: RetryPolicy = {
    scheduleMs: options.retry.scheduleMs ?? deps.config.webhooks.retryScheduleMs,
    jitter: options.retry.jitter ?? 0.1,
    random: options.retry.random ?? Math.random,
  };
  const dispatchers = Array.from(
    { length: Math.max(1, options.workers) },
    () =>
      new Dispatcher(deps.db, queue, client, deps.webhookSecrets, deps.clock, {
        concurrency: options.concurrency,
        // Half of what the lease leaves beyond the request's timeout; the other half is for recording it.
        holdMs: Math.max(1000, (options.leaseMs - options.timeoutMs) / 2),
        policy,
        disableAfterMs: options.disableAfterMs,
      }),
  );
  return { queue, relay: new Relay(deps.db, queue, deps.clock), dispatchers, client, options };
}

/** Starts the relay and dispatchers (none with WEBHOOK_WORKERS=0); `stop()` finishes in-flight deliveries and records them before resolving. */
export async function startWebhookWorkers(
  deps: WebhookDeps,
  over: Partial<WebhookWorkerOptions> = {},
): Promise<{ stop(): Promise<void>; parts: WebhookParts }> {
  const parts = buildWebhookParts(deps, over);
  const { queue, relay, dispatchers, options } = parts;
  if (options.workers === 0) {
    // WEBHOOK_WORKERS=0: this process only writes events; `npm run worker` processes deliver them.
    log.info('webhook workers disabled in this process');
    return {
      parts,
      stop: () => {
        parts.client.close();
        return Promise.resolve();
      },
    };
  }
  if (queue instanceof RedisQueue) await queue.listen();
  relay.start();
  for (const d of dispatchers) d.start();
  log.info('webhook workers started', { dispatchers: dispatchers.length, queue: queue.kind, concurrency: options.concurrency });
  let stopped: Promise<void> | undefined;
  return {
    parts,
    stop() {
      stopped ??= (async () => {
        await relay.stop();
        await Promise.all(dispatchers.map((d) => d.stop()));
        await queue.close();
        parts.client.close();
      })();
      return stopped;
    },
  };
}
