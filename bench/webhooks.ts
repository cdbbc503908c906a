// Webhook delivery on Postgres + Redis: deliveries/s to a local receiver with 1 and 4 worker processes
// (`src/worker.ts`, as `npm run worker` runs it), and commit→delivery latency at a steady 200 events/s.
// Baseline in the same run: the same signed POSTs sent straight from memory (no outbox, queue or log).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import knex from 'knex';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../src/config.js';
import { openDatabase, type Database } from '../src/db/index.js';
import { migrateLatest } from '../src/db/migrate.js';
import { createTenant } from '../src/tenants/service.js';
import { WebhookHttpClient } from '../src/webhooks/http-client.js';
import { emitEvent } from '../src/webhooks/outbox.js';
import { createAuditService } from '../src/audit/service.js';
import { createEndpoint } from '../src/webhooks/service.js';
import { signedHeaders } from '../src/webhooks/signing.js';
import { AllowList, systemResolver } from '../src/webhooks/ssrf.js';
import { systemClock } from '../src/clock.js';
import { webhookSecretsKey } from '../src/crypto/keys.js';
import { secretBox } from '../src/crypto/seal.js';
import { percentile } from './lib/load.js';
import { PG_URL, REDIS_URL, servicesAvailable } from './lib/services.js';
import { stopProcess } from './lib/spawn.js';
import type { BenchRow } from './lib/types.js';

const THROUGHPUT_EVENTS = 6000;
const LATENCY_RATE = 200;
const LATENCY_SECONDS = 10;
const TENANTS = 10;

interface Receiver {
  port: number;
  arrivals: Map<string, number>; // event id → first arrival (performance.timeOrigin-based ms)
  total: number;
  close(): Promise<void>;
}

const nowMs = () => performance.timeOrigin + performance.now();

async function startReceiver(): Promise<Receiver> {
  const r: Receiver = { port: 0, arrivals: new Map(), total: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = nowMs();
      const id = (JSON.parse(Buffer.concat(chunks).toString()) as { id: string }).id;
      if (!r.arrivals.has(id)) r.arrivals.set(id, at);
      r.total++;
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.port = (server.address() as AddressInfo).port;
  r.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return r;
}

function workerEnv(config: Config, dbUrl: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    DATABASE_URL: dbUrl,
    REDIS_URL,
    REDIS_PREFIX: config.redisPrefix,
    SECRET_KEY: config.secretKey!,
    DATA_DIR: config.dataDir,
    KEYS_DIR: config.keysDir,
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*',
  };
}

async function startWorkers(n: number, env: Record<string, string>): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: n }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr!.on('data', (d) => (err += String(d)));
      return new Promise<ChildProcess>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += String(d);
          if (out.includes('"webhook worker started"')) resolve(child);
        });
        child.once('exit', () => reject(new Error(`worker exited: ${err.slice(-1000)}`)));
      });
    }),
  );
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting for deliveries');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function emitBurst(db: Database, tenants: string[], n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 200) {
    await db.knex.transaction(async (trx) => {
      for (let k = i; k < Math.min(n, i + 200); k++) {
        ids.push((await emitEvent(trx, { tenantId: tenants[k % tenants.length]!, type: 'verification.case.decided', data: { case_id: `vc_${k}`, decision: 'approved' } })).id);
      }
    });
  }
  return ids;
}

/** CPU seconds (user + system) a process has used so far (Linux /proc; clock ticks are 1/100 s). */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/**
 * A backlog of committed events, then `n` workers start: deliveries/s from the first arrival to the last, and the
 * workers' CPU time per delivery (a load-independent figure on a shared machine).
 */
async function throughput(
  db: Database,
  tenants: string[],
  receiver: Receiver,
  n: number,
  env: Record<string, string>,
): Promise<{ rate: number; cpuUsPerDelivery: number; workers: ChildProcess[] }> {
  const ids = await emitBurst(db, tenants, THROUGHPUT_EVENTS);
  const workers = await startWorkers(n, env);
  const cpu0 = workers.reduce((t, w) => t + cpuSeconds(w.pid!), 0);
  await waitFor(() => ids.every((id) => receiver.arrivals.has(id)), 120_000);
  await new Promise((r) => setTimeout(r, 200)); // let the last outcomes be written
  const cpu = workers.reduce((t, w) => t + cpuSeconds(w.pid!), 0) - cpu0;
  const times = ids.map((id) => receiver.arrivals.get(id)!);
  return {
    rate: (THROUGHPUT_EVENTS - 1) / ((Math.max(...times) - Math.min(...times)) / 1000),
    cpuUsPerDelivery: (cpu / THROUGHPUT_EVENTS) * 1e6,
    workers,
  };
}

/** One event per transaction at a fixed rate; latency = arrival − commit. */
async function latency(db: Database, tenants: string[], receiver: Receiver): Promise<{ p50: number; p99: number; n: number }> {
  const committed = new Map<string, number>();
  const total = LATENCY_RATE * LATENCY_SECONDS;
  const t0 = nowMs();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / LATENCY_RATE;
    const wait = due - nowMs();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      db.knex
        .transaction((trx) => emitEvent(trx, { tenantId: tenants[i % tenants.length]!, type: 'person.assurance.changed', data: { seq: i } }))
        .then(({ id }) => void committed.set(id, nowMs())),
    );
  }
  await Promise.all(pending);
  await waitFor(() => [...committed.keys()].every((id) => receiver.arrivals.has(id)), 60_000);
  const lat = [...committed].map(([id, at]) => receiver.arrivals.get(id)! - at).sort((a, b) => a - b);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), n: lat.length };
}

/** The same signed POSTs straight from memory, 64 in flight: what HTTP + signing alone cost here. */
async function rawBaseline(receiver: Receiver): Promise<number> {
  // The receiver's port must be allowed as the workers' is: a refused send costs nothing and would inflate the rate.
  const client = new WebhookHttpClient(systemResolver, new AllowList(['127.0.0.1:*']), 15_000);
  const url = new URL(`http://127.0.0.1:${receiver.port}/raw`);
  const secret = `whsec_${crypto.randomBytes(32).toString('base64')}`;
  let next = 0;
  const start = nowMs();
  const lane = async () => {
    while (next < THROUGHPUT_EVENTS) {
      const i = next++;
      const body = JSON.stringify({ id: `raw_${i}`, type: 'verification.case.decided', created_at: new Date().toISOString(), tenant_id: 't', data: { case_id: `vc_${i}` } });
      const r = await client.send(url, signedHeaders([secret], `msg_${i}`, Math.floor(Date.now() / 1000), body), body);
      if (r.error) throw new Error(`raw baseline POST failed: ${r.error}`);
    }
  };
  await Promise.all(Array.from({ length: 64 }, lane));
  const rate = THROUGHPUT_EVENTS / ((nowMs() - start) / 1000);
  client.close();
  return rate;
}

export async function run(): Promise<BenchRow[]> {
  if (!(await servicesAvailable())) {
    return [{ name: 'webhooks', value: 'skipped', note: `Postgres (${new URL(PG_URL).host}) or Redis unavailable` }];
  }
  const name = `kp_bench_wh_${crypto.randomBytes(4).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: PG_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-bench-wh-'));
  const config = loadConfig({
    NODE_ENV: 'development',
    DATABASE_URL: u.toString(),
    REDIS_URL,
    REDIS_PREFIX: `kpbench:${crypto.randomBytes(4).toString('hex')}:`,
    SECRET_KEY: crypto.randomBytes(32).toString('base64url'),
    DATA_DIR: dataDir,
    KEYS_DIR: path.join(dataDir, 'keys'),
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*',
  });
  const db = await openDatabase(config);
  const receiver = await startReceiver();
  let workers: ChildProcess[] = [];
  try {
    await migrateLatest(db);
    const deps = { config, db, redis: undefined, clock: systemClock, webhookSecrets: secretBox(webhookSecretsKey(config.secretKey!)), audit: createAuditService({ db: db.knex, clock: systemClock }) };
    const tenants: string[] = [];
    for (let i = 0; i < TENANTS; i++) {
      const { tenant_id } = await createTenant(db.knex, `Bench ${i}`);
      await createEndpoint(deps, tenant_id, { url: `http://127.0.0.1:${receiver.port}/t/${tenant_id}`, events: ['*'] }, { type: 'system', id: 'bench' });
      tenants.push(tenant_id);
    }
    const env = workerEnv(config, u.toString());
    const raw = await rawBaseline(receiver);

    const t1 = await throughput(db, tenants, receiver, 1, env);
    workers = t1.workers;
    const one = t1.rate;
    const lat1 = await latency(db, tenants, receiver);
    await Promise.all(workers.map(stopProcess));

    const t4 = await throughput(db, tenants, receiver, 4, env);
    workers = t4.workers;
    const four = t4.rate;
    const lat4 = await latency(db, tenants, receiver);
    await Promise.all(workers.map(stopProcess));
    workers = [];

    const r0 = (n: number) => Math.round(n).toLocaleString('en-US');
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    const dup = receiver.total - receiver.arrivals.size;
    return [
      {
        name: 'webhook deliveries/s, 1 worker process',
        value: `${r0(one)}/s`,
        baseline: `${r0(raw)}/s raw signed POSTs`,
        ratio: `${(one / raw).toFixed(2)}×`,
        target: { goal: 'webhook deliveries ≥ 1,000/s', measured: `${r0(one)}/s (1 worker)`, met: one >= 1000 },
        note: `backlog of ${THROUGHPUT_EVENTS} committed events, first to last arrival (relay→Redis→POST→log); worker CPU ${r0(t1.cpuUsPerDelivery)} µs/delivery; target ≥ 1,000/s`,
      },
      {
        name: 'webhook deliveries/s, 4 worker processes',
        value: `${r0(four)}/s`,
        baseline: `${r0(one)}/s with 1 worker`,
        ratio: `${(four / one).toFixed(2)}×`,
        note: `workers' CPU ${r0(t4.cpuUsPerDelivery)} µs/delivery; ${os.cpus().length} cores shared with Postgres, Redis and the receiver`,
      },
      {
        name: `commit→delivery latency @ ${LATENCY_RATE} events/s, 1 worker`,
        value: `p50 ${ms(lat1.p50)}, p99 ${ms(lat1.p99)}`,
        note: `${lat1.n} events, one per transaction; target p99 ≤ 250 ms`,
        target: { goal: 'p99 commit→delivery ≤ 250 ms', measured: `p99 ${ms(lat1.p99)} at ${LATENCY_RATE} events/s`, met: lat1.p99 <= 250 },
      },
      { name: `commit→delivery latency @ ${LATENCY_RATE} events/s, 4 workers`, value: `p50 ${ms(lat4.p50)}, p99 ${ms(lat4.p99)}`, note: `${lat4.n} events; duplicates seen in the whole run: ${dup}` },
    ];
  } finally {
    await Promise.all(workers.map(stopProcess));
    await receiver.close();
    await db.close();
    await admin.raw(`drop database if exists ${name} with (force)`);
    await admin.destroy();
    const r = new Redis(REDIS_URL);
    const keys = await r.keys(`${config.redisPrefix}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
