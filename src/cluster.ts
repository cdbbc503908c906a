// WEB_CONCURRENCY > 1: a primary process prepares what must happen once (keys, migrations, list imports), then
// forks HTTP workers that share the port, restarts any that die, and stops them all on SIGTERM.
// Caches stay correct across workers (database NOTIFY) and limits are shared (Redis or Postgres counters).
import cluster from 'node:cluster';
import type { Config } from './config.js';
import { log } from './log.js';
import { loadKeyMaterial } from './oidc/keys.js';
import { openInfraWhenReachable } from './infra.js';
import { loadListsFromDataDir } from './screening/index.js';

export async function runPrimary(config: Config): Promise<void> {
  await loadKeyMaterial(config);
  // Migrations run once, here: during an outage the primary waits (with backoff) before forking the workers.
  const infra = await openInfraWhenReachable(config);
  await loadListsFromDataDir(infra.db, config.dataDir).catch((err) => log.error('screening list import failed', { err: String(err) }));
  await infra.close();

  let stopping = false;
  const fork = () => cluster.fork().on('exit', (code, signal) => {
    if (stopping) return;
    log.error('HTTP worker exited; starting another', { code, signal });
    setTimeout(fork, 1000).unref();
  });
  for (let i = 0; i < config.webConcurrency; i++) fork();
  log.info('KYCPort primary started', { workers: config.webConcurrency, listen: `${config.host}:${config.port}` });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {});
    for (const w of workers) w?.process.kill(signal);
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const w of workers) w?.once('exit', () => --left === 0 && process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGTERM'));
}
