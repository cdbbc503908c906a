// `npm run worker`: a standalone webhook worker (jobs.ts: relay, dispatchers, reconciler, expiry sweep, history retention). Run as many
// as you like, on any machine that reaches the same Postgres and Redis. SIGTERM finishes in-flight deliveries.
import { ConfigError, loadConfig } from './config.js';
import { log } from './log.js';
import { openInfraWhenReachable } from './infra.js';
import { startJobs } from './jobs.js';
import { ownerOnlyUmask } from './file-modes.js';
import { requireInstanceSecret, webhookSecretsKey } from './crypto/keys.js';
import { secretBox } from './crypto/seal.js';

async function main(): Promise<void> {
  ownerOnlyUmask();
  const config = loadConfig();
  // The server migrates; a worker must not race it, and refuses to run on a schema it doesn't know.
  const webhookSecrets = secretBox(webhookSecretsKey(requireInstanceSecret(config)));
  // Started during an outage, it waits (with backoff) for the database and Redis instead of exiting.
  const infra = await openInfraWhenReachable(config, { migrate: false });
  if (!(await infra.db.knex.schema.hasTable('webhook_deliveries'))) {
    log.error('the database has no webhook tables: start the server (or `npm run migrate`) first');
    await infra.close();
    process.exit(1);
  }
  if (infra.db.kind === 'pglite') log.warn('no DATABASE_URL: a worker on embedded PGlite only sees its own data directory');
  const jobs = await startJobs(infra, { webhookSecrets, webhooks: { workers: Math.max(1, config.webhooks.workers) } });
  log.info('webhook worker started', { database: infra.db.describe, redis: config.redisUrl ? 'yes' : 'no', pid: process.pid });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('webhook worker stopping', { signal });
    const force = setTimeout(() => process.exit(1), config.webhooks.timeoutMs + 10_000);
    force.unref();
    await jobs.stop();
    await infra.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
  log.error('webhook worker failed to start', { err: err instanceof Error ? err.stack : String(err) });
  process.exit(1);
});
