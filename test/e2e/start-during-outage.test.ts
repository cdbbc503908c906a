// Issue 10 item 15: a server started while Postgres and Redis are unreachable. Before, it exited with code 1 (an
// orchestrator restart-loops it). Now it listens at once, is live but not ready (503), retries with backoff, and
// once both answer it migrates and serves. The outage is a proxy this test controls (the shared services keep
// running); the server is `npm start`, as an operator runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { onRealServices } from '../support/deps.js';
import { freePort } from '../support/net.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-outage-start-'));
const name = `kp_t_${crypto.randomBytes(6).toString('hex')}`;
let child: ChildProcess | undefined;
const proxies: TcpProxy[] = [];
const admin = onRealServices ? knex({ client: 'pg', connection: process.env.DATABASE_URL!, pool: { min: 0, max: 1 } }) : undefined;

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
  for (const p of proxies) await p.close();
  await admin?.raw(`drop database if exists ${name} with (force)`);
  await admin?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(onRealServices && process.env.REDIS_URL)('start-up during an outage', () => {
  it('starts, reports not ready while Postgres and Redis are down, and serves once they are back', async () => {
    await admin!.raw(`create database ${name}`);
    const db = new URL(process.env.DATABASE_URL!);
    db.pathname = `/${name}`;
    const redis = new URL(process.env.REDIS_URL!);
    const pg = await startTcpProxy({ host: db.hostname, port: Number(db.port || 5432) });
    const rd = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    proxies.push(pg, rd);
    pg.set('refuse');
    rd.set('refuse');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    child = spawn('npm', ['start', '--silent'], {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: String(port),
        PUBLIC_URL: url,
        DATA_DIR: path.join(dir, 'data'),
        KEYS_DIR: path.join(dir, 'keys'),
        DATABASE_URL: pg.via(db.toString()),
        REDIS_URL: rd.via(redis.toString()),
        REDIS_PREFIX: `kpt:${crypto.randomBytes(4).toString('hex')}:`,
        VERIFICATION_WORKERS: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
      detached: true,
    });

    // Live and not ready, within the usual start time; the process does not exit.
    const t0 = Date.now();
    let live: Response | undefined;
    while (!live?.ok) {
      if (Date.now() - t0 > 30_000 || child.exitCode !== null) throw new Error(`not live (exit code ${child.exitCode})`);
      live = await fetch(`${url}/health/live`).catch(() => undefined);
      await sleep(200);
    }
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'unavailable', checks: { database: 'fail', redis: 'fail' } });
    const api = await fetch(`${url}/api/v1/kyc/x/status`);
    expect(api.status).toBe(503);
    expect(Number(api.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await api.json()).toMatchObject({ error: 'service_unavailable' });
    await sleep(3_000);
    expect(child.exitCode).toBeNull();

    // Postgres back first: still not ready (Redis is down); then Redis: ready, migrated, serving discovery.
    pg.set('open');
    await sleep(4_000);
    expect(child.exitCode).toBeNull();
    expect((await fetch(`${url}/health/ready`)).status).toBe(503);
    rd.set('open');
    const back = Date.now();
    while ((await fetch(`${url}/health/ready`).catch(() => undefined))?.status !== 200) {
      if (Date.now() - back > 60_000) throw new Error('not ready 60 s after Postgres and Redis came back');
      await sleep(200);
    }
    console.log('start-up during an outage: ready', Date.now() - back, 'ms after both came back');
    const discovery = await fetch(`${url}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect((await admin!.raw<{ rows: unknown[] }>(`select 1 from pg_database where datname = '${name}'`)).rows).toHaveLength(1);
    const migrated = knex({ client: 'pg', connection: db.toString(), pool: { min: 0, max: 1 } });
    try {
      expect(await migrated.schema.hasTable('tenants')).toBe(true);
    } finally {
      await migrated.destroy();
    }
  });
});
