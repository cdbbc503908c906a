// Process entry: config → database → compose → listen → jobs; graceful shutdown on SIGTERM/SIGINT.
import cluster from 'node:cluster';
import http from 'node:http';
import { serveAdminSocket } from './cli/admin-socket.js';
import { runPrimary } from './cluster.js';
import { buildApp } from './app.js';
import { compose } from './compose.js';
import { ConfigError, loadConfig } from './config.js';
import { DatabaseInUseError } from './db/index.js';
import { describeRedis } from './db/redis.js';
import { describeSmtp } from './persons/mailer.js';
import { log } from './log.js';
import { KeysError, loadKeyMaterial } from './oidc/keys.js';
import { openInfraWhenReachable } from './infra.js';
import { startingHandler, type StartingState } from './http/starting.js';
import { startJobs } from './jobs.js';
import { ownerOnlyUmask, secureDataDirs } from './file-modes.js';
import { loadListsFromDataDir } from './screening/index.js';

async function main(): Promise<void> {
  ownerOnlyUmask();
  const config = loadConfig();
  if (cluster.isPrimary) secureDataDirs(config);
  if (config.webConcurrency > 1 && cluster.isPrimary) return runPrimary(config);
  const keys = await loadKeyMaterial(config);
  if (keys.generated.length) log.warn('generated development keys', { generated: keys.generated, keys_dir: config.keysDir });
  // Listen first: while the database or Redis is unreachable the process is live but not ready (503), and
  // retries with backoff instead of exiting (an orchestrator would restart-loop it).
  const starting: StartingState = config.redisUrl ? { database: 'fail', redis: 'fail' } : { database: 'fail' };
  let handle: http.RequestListener = startingHandler(starting);
  const server = http.createServer((req, res) => handle(req, res));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const infra = await openInfraWhenReachable(config, { reachable: (dep) => (starting[dep] = 'ok') });
  const services = compose(infra, keys);
  const app = buildApp(infra, keys, services);
  // Koa's handler settles every request itself (errors go to ctx.onerror), so node's listener need not wait.
  const koa = app.callback();
  handle = (req, res) => void koa(req, res);
  // The embedded database is this process's alone; the admin CLI reaches it through this socket.
  const admin = infra.db.kind === 'pglite' ? await serveAdminSocket(infra, { keysDir: config.keysDir }) : undefined;

  // Every periodic task: OIDC sweep, upload retention, expiry sweep, webhook delivery (WEBHOOK_WORKERS=0 leaves
  // delivery to `npm run worker` processes).
  const jobs = await startJobs(infra, { webhookSecrets: services.webhookSecrets, cases: services.cases, persons: services.persons, privacy: services.privacy, audit: services.audit, sessions: services.sessions, lookups: services.lookups, oidcPayloads: true, signInAddresses: true });
  // Sanctions lists dropped into DATA_DIR/lists are imported (once per file version) before the index loads;
  // with several HTTP workers the primary did it. Then the engine workers start and the screening/dedup indexes
  // load now, not on the first request.
  if (cluster.isPrimary) await loadListsFromDataDir(infra.db, config.dataDir).catch((err) => log.error('screening list import failed', { err: String(err) }));
  services.warmup().catch((err) => log.error('verification engines failed to start', { err: String(err) }));

  log.info('KYCPort started', {
    issuer: config.issuer,
    listen: `${config.host}:${config.port}`,
    database: infra.db.describe,
    redis: config.redisUrl ? describeRedis(config.redisUrl) : 'none',
    mail: config.mail.smtpUrl ? describeSmtp(config.mail.smtpUrl) : `spool ${config.dataDir}/mail`,
    migrations_applied: infra.migrations.length,
    signing_keys: keys.signingKeys.map((k) => k.kid),
    env: config.env,
    pid: process.pid,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    await admin?.close();
    await jobs.stop();
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await services.close();
    await infra.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof KeysError || err instanceof DatabaseInUseError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78);
  }
  log.error('fatal start-up error', { err: err instanceof Error ? err.stack : String(err) });
  process.exit(1);
});
