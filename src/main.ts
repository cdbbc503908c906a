// Process entry: config → database → app → listen → background jobs; graceful shutdown on SIGTERM/SIGINT.
import cluster from 'node:cluster';
import http from 'node:http';
import { serveAdminSocket } from './cli/admin-socket.js';
import { runPrimary } from './cluster.js';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DatabaseInUseError } from './db/index.js';
import { describeRedis } from './db/redis.js';
import { describeSmtp } from './persons/mailer.js';
import { log } from './log.js';
import { KeysError, loadKeyMaterial } from './oidc/keys.js';
import { sweepExpiredPayloads } from './oidc/adapters/postgres.js';
import { openRuntime } from './runtime.js';
import { loadListsFromDataDir } from './screening/index.js';
import { startWebhookWorkers } from './webhooks/workers.js';
import { webhookSecretsKey } from './crypto/keys.js';
import { secretBox } from './crypto/seal.js';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.webConcurrency > 1 && cluster.isPrimary) return runPrimary(config);
  const keys = await loadKeyMaterial(config);
  if (keys.generated.length) log.warn('generated development keys', { generated: keys.generated, keys_dir: config.keysDir });
  const rt = await openRuntime(config);
  const app = buildApp(rt, keys);
  const server = http.createServer(app.koa.callback());
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  // The embedded database is this process's alone; the admin CLI reaches it through this socket.
  const admin = rt.db.kind === 'pglite' ? await serveAdminSocket(rt, { keysDir: config.keysDir }) : undefined;

  const sweeper = setInterval(() => {
    sweepExpiredPayloads(rt.db.knex, rt.clock.now()).catch((err) => log.warn('oidc sweep failed', { err: String(err) }));
  }, 60_000);
  sweeper.unref();
  // Verification: start the engine workers and load the screening/dedup indexes now (not on the first request),
  // and delete uploads past their retention period.
  const uploadSweeper = app.verification.startSweeper();
  void uploadSweeper.sweep().catch((err) => log.warn('retention sweep failed', { err: String(err) }));
  // Webhook delivery inside the server (WEBHOOK_WORKERS=0 leaves it to `npm run worker` processes).
  const webhooks = await startWebhookWorkers({ ...rt, webhookSecrets: secretBox(webhookSecretsKey(keys.secret)) });
  // Sanctions lists dropped into DATA_DIR/lists are imported (once per file version) before the index loads;
  // with several HTTP workers the primary did it.
  if (cluster.isPrimary) await loadListsFromDataDir(rt.db, config.dataDir).catch((err) => log.error('screening list import failed', { err: String(err) }));
  app.verification.warmup().catch((err) => log.error('verification engines failed to start', { err: String(err) }));

  log.info('KYCPort started', {
    issuer: config.issuer,
    listen: `${config.host}:${config.port}`,
    database: rt.db.describe,
    redis: config.redisUrl ? describeRedis(config.redisUrl) : 'none',
    mail: config.mail.smtpUrl ? describeSmtp(config.mail.smtpUrl) : `spool ${config.dataDir}/mail`,
    migrations_applied: rt.migrations.length,
    signing_keys: keys.signingKeys.map((k) => k.kid),
    env: config.env,
    pid: process.pid,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    clearInterval(sweeper);
    uploadSweeper.stop();
    await admin?.close();
    await webhooks.stop();
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.verification.close();
    await rt.close();
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
