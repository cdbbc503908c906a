// Fresh Postgres database + Redis prefix for a benchmark run, and a KYCPort server process on them; or a KYCPort
// server on the embedded default (PGlite in its DATA_DIR, no Redis).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import knex, { type Knex } from 'knex';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase } from '../../src/db/index.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { freePort, startProcess, stopProcess } from './spawn.js';

export const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function servicesAvailable(): Promise<boolean> {
  const k = knex({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 3000 });
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await k.raw('select 1');
    await r.connect();
    await r.ping();
    return true;
  } catch {
    return false;
  } finally {
    r.disconnect();
    await k.destroy();
  }
}

export interface KycportProcess {
  url: string;
  db: Knex;
  dataDir: string;
  env: Record<string, string>;
  child: ChildProcess;
  stop(): Promise<void>;
}

// Limits stay in the request path but must not throttle the load generator. Production-like otherwise: no
// response-contract checks (NODE_ENV=production would need https and a SECRET_KEY).
const PRODUCTION_LIKE = {
  RATE_LIMIT_IP_PER_MINUTE: '100000000',
  RATE_LIMIT_API_PER_MINUTE: '100000000',
  RATE_LIMIT_LOGIN_PER_HOUR: '100000000',
  RESPONSE_CHECKS: 'false',
};

export async function startKycport(extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<KycportProcess> {
  const name = `kp_bench_${crypto.randomBytes(4).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-bench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const prefix = `kpbench:${crypto.randomBytes(4).toString('hex')}:`;
  const env = {
    NODE_ENV: 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: url,
    DATABASE_URL: u.toString(),
    REDIS_URL,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    KEYS_DIR: path.join(dataDir, 'keys'),
    ...PRODUCTION_LIKE,
    ...extraEnv,
  };
  const child = await startProcess('src/main.ts', env, `${url}/health/ready`, 60_000, nodeArgs);
  const db = knex({ client: 'pg', connection: u.toString(), pool: { min: 0, max: 4 } });
  return {
    url,
    db,
    dataDir,
    env,
    child,
    async stop() {
      await stopProcess(child);
      await db.destroy();
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
      const r = new Redis(REDIS_URL);
      const keys = await r.keys(`${prefix}*`);
      if (keys.length) await r.del(...keys);
      r.disconnect();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface EmbeddedKycport<T> {
  url: string;
  env: Record<string, string>;
  child: ChildProcess;
  /** What `seed` returned. */
  seeded: T;
  stop(): Promise<void>;
}

/**
 * KYCPort on the embedded default: no DATABASE_URL, no REDIS_URL, PGlite under a fresh DATA_DIR. The database
 * belongs to the server process once it runs, so `seed` writes its rows before the server starts.
 */
export async function startEmbeddedKycport<T>(
  seed: (db: Knex, config: Config) => Promise<T>,
  extraEnv: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<EmbeddedKycport<T>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-bench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: url, DATA_DIR: dataDir, KEYS_DIR: path.join(dataDir, 'keys'), ...PRODUCTION_LIKE, ...extraEnv };
  const config = loadConfig(env);
  const db = await openDatabase(config);
  let seeded: T;
  try {
    await migrateLatest(db);
    seeded = await seed(db.knex, config);
  } finally {
    await db.close();
  }
  // The bench's own DATABASE_URL / REDIS_URL must not reach this server.
  const child = await startProcess('src/main.ts', { ...env, DATABASE_URL: undefined, REDIS_URL: undefined }, `${url}/health/ready`, 60_000, nodeArgs);
  return {
    url,
    env,
    child,
    seeded,
    async stop() {
      await stopProcess(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
