// Token-endpoint code exchanges/s (KYCPort vs bare oidc-provider issuing the same token formats into the same
// store) and status
// lookups/s (KYCPort vs a bare Koa JSON route), each measured against its baseline in the same run, with KYCPort
// on Postgres + Redis and on the embedded default (PGlite, no Redis).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Knex } from 'knex';
import { loadConfig, type Config } from '../src/config.js';
import { createPerson } from '../src/persons/service.js';
import { createApiKey, createClient, createTenant } from '../src/tenants/service.js';
import { Browser } from '../test/support/browser.js';
import { signInThroughPages } from '../test/support/oidc.js';
import type { TestServer } from '../test/support/server.js';
import { mainThreadSchedNs, processCpuUs } from './lib/cpu.js';
import { fmt, load, type LoadResult, type RequestSpec } from './lib/load.js';
import { REDIS_URL, servicesAvailable, startEmbeddedKycport, startKycport } from './lib/services.js';
import { freePort, startProcess, stopProcess } from './lib/spawn.js';
import type { BenchRow } from './lib/types.js';

const REDIRECT = 'http://127.0.0.1:9/cb';
const VERIFIER = crypto.randomBytes(32).toString('base64url');
const CHALLENGE = crypto.createHash('sha256').update(VERIFIER).digest('base64url');
const BATCHES = 4;
const BATCH = 400;
const CONNECTIONS = 16;
const STATUS_ROUNDS = 5;
const STATUS_ROUND_MS = 4000;

export interface Op {
  origin: string;
  authPath: string;
  tokenPath: string;
  clientId: string;
  secret: string;
  browser: Browser;
  /** The server's process, for its CPU time per exchange. */
  pid?: number;
}

export async function collectCodes(op: Op, n: number): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < n; i++) {
    const u = new URL(op.origin + op.authPath);
    const params = { client_id: op.clientId, response_type: 'code', scope: 'openid kyc', redirect_uri: REDIRECT, code_challenge: CHALLENGE, code_challenge_method: 'S256', state: `s${i}`, nonce: `n${i}` };
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    const { url } = await op.browser.follow(u.href, op.origin);
    const code = new URL(url).searchParams.get('code');
    if (!code) throw new Error(`no code: ${url}`);
    codes.push(code);
  }
  return codes;
}

export const tokenRequest = (op: Op, codes: string[]) => {
  const auth = `Basic ${Buffer.from(`${encodeURIComponent(op.clientId)}:${encodeURIComponent(op.secret)}`).toString('base64')}`;
  return () => {
    const code = codes.pop();
    if (!code) return undefined;
    return {
      method: 'POST' as const,
      path: op.tokenPath,
      headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER }).toString(),
    };
  };
};

/**
 * Code exchanges on both servers, batch by batch in turns (ours, then the baseline), so drift on a shared VM hits
 * both alike. Batch -1 warms up the JIT and connection pools and is not counted.
 */
async function exchanges(ops: Op[]): Promise<(LoadResult & { cpuUs: number; sched: Sched })[]> {
  const all: LoadResult[][] = ops.map(() => []);
  const cpu = ops.map(() => 0);
  const sched = ops.map(() => ({ run: 0, wait: 0, wall: 0 }));
  for (let b = -1; b < BATCHES; b++) {
    for (const [i, op] of ops.entries()) {
      const codes = await collectCodes(op, BATCH);
      const before = processCpuUs(op.pid) ?? NaN;
      const s0 = mainThreadSchedNs(op.pid);
      const t0 = performance.now();
      const r = await load(op.origin, { connections: CONNECTIONS, durationMs: 60_000, next: tokenRequest(op, codes) });
      if (r.errors) throw new Error(`${op.origin}: ${r.errors} failed exchanges; first: ${r.firstError}`);
      if (b >= 0) {
        all[i]!.push(r);
        cpu[i]! += (processCpuUs(op.pid) ?? NaN) - before;
        const s1 = mainThreadSchedNs(op.pid);
        const s = sched[i]!;
        s.wall += performance.now() - t0;
        s.run += s0 && s1 ? (s1.runNs - s0.runNs) / 1e6 : NaN;
        s.wait += s0 && s1 ? (s1.waitNs - s0.waitNs) / 1e6 : NaN;
      }
    }
  }
  // Merge batches: total requests over total time; p50 averaged over batches, p99 the worst batch's.
  return all.map((rs, i) => {
    const requests = rs.reduce((n, r) => n + r.requests, 0);
    const seconds = rs.reduce((n, r) => n + r.seconds, 0);
    return { requests, errors: 0, seconds, rps: requests / seconds, p50: avg(rs.map((r) => r.p50)), p99: Math.max(...rs.map((r) => r.p99)), cpuUs: cpu[i]! / requests, sched: sched[i]! };
  });
}

/** Status lookups in alternating rounds on each origin; the median round per origin (p99: the worst round). */
async function statusRounds(targets: { origin: string; next: () => RequestSpec }[]): Promise<LoadResult[]> {
  for (const t of targets) await load(t.origin, { connections: 32, durationMs: 2000, next: t.next }); // warm-up
  const rounds: LoadResult[][] = targets.map(() => []);
  for (let r = 0; r < STATUS_ROUNDS; r++) {
    for (const [i, t] of targets.entries()) rounds[i]!.push(await load(t.origin, { connections: 32, durationMs: STATUS_ROUND_MS, next: t.next }));
  }
  return rounds.map((rs) => {
    const sorted = [...rs].sort((a, b) => a.rps - b.rps);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    return { ...median, errors: rs.reduce((n, x) => n + x.errors, 0), p99: Math.max(...rs.map((x) => x.p99)) };
  });
}

const cpuText = (us: number) => (Number.isFinite(us) ? `${(us / 1000).toFixed(2)} ms` : 'n/a');
/** Main-thread time of a server over its batches (ms): running, ready but waiting for a core, and wall. */
interface Sched {
  run: number;
  wait: number;
  wall: number;
}
// Tells "the server waits for a CPU" (a loaded machine) apart from "it waits on I/O, a timer or a lock" (blocked).
const schedText = (s: Sched) =>
  Number.isFinite(s.run) && Number.isFinite(s.wait) && s.wall > 0
    ? `main thread ${pct(s.run / s.wall)} running, ${pct(s.wait / s.wall)} waiting for a core, ${pct(Math.max(0, s.wall - s.run - s.wait) / s.wall)} blocked/idle`
    : 'main thread n/a';
const pct = (x: number) => `${Math.round(x * 100)}%`;
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const PERSON = { email: 'bench@example.com', password: 'correct horse battery' };

interface Seeded {
  tenantId: string;
  client: { client_id: string; client_secret?: string };
  apiKey: string;
  personId: string;
}

async function seed(db: Knex, cfg: Config): Promise<Seeded> {
  const tenant = await createTenant(db, 'Bench Bank');
  const client = await createClient(db, cfg, { tenantId: tenant.tenant_id, redirectUris: [REDIRECT], public: false });
  const key = await createApiKey(db, { tenantId: tenant.tenant_id });
  const { id: personId } = await createPerson(db, { ...PERSON, emailVerified: true });
  return { tenantId: tenant.tenant_id, client, apiKey: key.api_key, personId };
}

/** A KYCPort server under test: signed in once, with the tenant's pairwise `sub` of the bench person. */
export interface Subject {
  label: string;
  op: Op;
  statusPath: string;
  statusHeaders: Record<string, string>;
  /** The server's process id (for CPU accounting). */
  pid: number;
  stop(): Promise<void>;
}

export async function startSubject(kind: 'postgres' | 'embedded', nodeArgs: string[] = []): Promise<Subject & { seeded: Seeded }> {
  let url: string;
  let seeded: Seeded;
  let stop: () => Promise<void>;
  let pid: number;
  if (kind === 'postgres') {
    const kp = await startKycport({}, nodeArgs);
    seeded = await seed(kp.db, loadConfig(kp.env));
    ({ url } = kp);
    pid = kp.child.pid!;
    stop = () => kp.stop();
  } else {
    const kp = await startEmbeddedKycport(seed, {}, nodeArgs);
    ({ url, seeded } = kp);
    pid = kp.child.pid!;
    stop = () => kp.stop();
  }
  const { client } = seeded;
  const op: Op = { origin: url, authPath: '/api/oidc/auth', tokenPath: '/api/oidc/token', clientId: client.client_id, secret: client.client_secret!, browser: new Browser(), pid };
  // One real sign-in through the hosted pages gives a session and a grant; later authorizations are silent. Its
  // code's ID token tells the tenant's pairwise id of the person, the id the status API takes.
  const first = new URL(`${url}/api/oidc/auth`);
  for (const [k, v] of Object.entries({ client_id: client.client_id, response_type: 'code', scope: 'openid kyc', redirect_uri: REDIRECT, code_challenge: CHALLENGE, code_challenge_method: 'S256' })) first.searchParams.set(k, v);
  const callback = await signInThroughPages({ url } as TestServer, first, PERSON, op.browser);
  const { sub } = await exchangeOne(op, callback.searchParams.get('code')!);
  let stopped: Promise<void> | undefined;
  return {
    label: kind === 'postgres' ? 'Postgres + Redis' : 'embedded PGlite',
    op,
    seeded,
    statusPath: `/api/v1/kyc/${sub}/status`,
    statusHeaders: { authorization: `Bearer ${seeded.apiKey}` },
    pid,
    stop: () => (stopped ??= stop()),
  };
}

interface Exchanged {
  sub: string;
  /** JOSE headers of the tokens, so the bench can check both servers issue the same formats. */
  formats: string;
}

async function exchangeOne(op: Op, code: string): Promise<Exchanged> {
  const spec = tokenRequest(op, [code])()!;
  const res = await fetch(op.origin + spec.path, { method: 'POST', headers: spec.headers, body: spec.body });
  const out = (await res.json()) as { id_token?: string; access_token?: string; refresh_token?: string };
  if (!out.id_token || !out.access_token) throw new Error(`code exchange failed: ${res.status}`);
  const part = (jwt: string, i: number) => JSON.parse(Buffer.from(jwt.split('.')[i] ?? '', 'base64url').toString() || 'null') as Record<string, string> | null;
  const header = (jwt: string) => {
    const h = jwt.split('.').length === 3 ? part(jwt, 0) : null;
    return h ? `${h.typ ?? 'JWT'}/${h.alg}` : 'opaque';
  };
  const formats = `access token ${header(out.access_token)}, ID token ${header(out.id_token)}${out.refresh_token ? ', refresh token' : ''}`;
  return { sub: part(out.id_token, 1)!.sub!, formats };
}

/** Fails the run unless KYCPort and the baseline issue the same token formats. */
async function sameTokenFormats(ours: Op, baseline: Op): Promise<string> {
  const [a, b] = [(await exchangeOne(ours, (await collectCodes(ours, 1))[0]!)).formats, (await exchangeOne(baseline, (await collectCodes(baseline, 1))[0]!)).formats];
  if (a !== b) throw new Error(`token formats differ: KYCPort ${a}; baseline ${b}`);
  return a;
}


export async function run(only?: 'tokens' | 'status'): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const withServices = await servicesAvailable();
  if (!withServices) rows.push({ name: 'oidc on Postgres + Redis', value: 'skipped', note: 'Postgres/Redis not reachable' });
  // Baselines run beside KYCPort for the whole area, so rounds can alternate.
  const koaPort = await freePort();
  const koa = await startProcess('bench/servers/bare-koa.ts', { PORT: String(koaPort) }, `http://127.0.0.1:${koaPort}/api/v1/kyc/x/status`);
  // The baseline gets the very same requests (path and Authorization header), and ignores the key.
  const koaTarget = (spec: RequestSpec) => ({ origin: `http://127.0.0.1:${koaPort}`, next: () => spec });
  try {
    // KYCPORT_BENCH_DB=postgres or =embedded runs one of the two, for quick runs.
    const only1 = process.env.KYCPORT_BENCH_DB;
    const kinds = (withServices ? (['postgres', 'embedded'] as const) : (['embedded'] as const)).filter((k) => !only1 || k === only1);
    for (const kind of kinds) {
      const subject = await startSubject(kind);
      const { label } = subject;
      const statusGoal = kind === 'postgres' ? 0.6 : 0.5;
      try {
        if (only !== 'status') {
          const bare = await startBareOidc(kind);
          let formats: string;
          let ours: Awaited<ReturnType<typeof exchanges>>[number] | undefined;
          let baseline: Awaited<ReturnType<typeof exchanges>>[number] | undefined;
          try {
            formats = await sameTokenFormats(subject.op, bare.op);
            [ours, baseline] = await exchanges([subject.op, bare.op]);
          } finally {
            await bare.stop();
          }
          const ratio = fmt.ratio(ours!.rps, baseline!.rps);
          rows.push({
            name: `token endpoint: code exchange, ${label} (${CONNECTIONS} conns, ${BATCHES * BATCH} codes)`,
            value: `${fmt.rps(ours!)}; server CPU ${cpuText(ours!.cpuUs)}/exchange; ${schedText(ours!.sched)}`,
            baseline: `bare oidc-provider: ${fmt.rps(baseline!)}; server CPU ${cpuText(baseline!.cpuUs)}/exchange; ${schedText(baseline!.sched)}`,
            ratio,
            target: { goal: `token exchange ≥ 0.60× bare oidc-provider (${label})`, measured: ratio, met: ours!.rps >= 0.6 * baseline!.rps },
            note:
              `target ≥ 0.60×; batches of ${BATCH} alternate between the servers; both: authorization code + PKCE S256, client_secret_basic, ${formats} (checked in this run); ` +
              `codes, sessions and grants in ${kind === 'postgres' ? 'Redis' : 'the process’s own PGlite'} through KYCPort’s adapter. ` +
              `Differences: KYCPort also reads the account’s claims (from ${kind === 'postgres' ? 'Postgres' : 'PGlite'} through its invalidated per-person cache, which the authorization step fills here as in a real sign-in), looks the client up through its catalog, runs its middleware (request id, headers, IP rate limit), signs with node:crypto and adds pairwise subjects, auth_time and a grant-id claim; ` +
              'the baseline has a static client, signs through jose (oidc-provider’s default) and returns fixed claims',
          });
        }
        // Status lookups on the server that just served the sign-in (and the exchanges): as in production,
        // oidc-provider's AsyncLocalStorage has switched on Node's promise hooks by then.
        if (only !== 'tokens') {
          const spec = { path: subject.statusPath, headers: subject.statusHeaders };
          const [ours, koaStatus] = await statusRounds([{ origin: subject.op.origin, next: () => spec }, koaTarget(spec)]);
          const ratio = fmt.ratio(ours!.rps, koaStatus!.rps);
          rows.push({
            name: `status lookup GET /api/v1/kyc/{id}/status, ${label} (32 conns, median of ${STATUS_ROUNDS} × ${STATUS_ROUND_MS / 1000} s rounds)`,
            value: fmt.rps(ours!),
            baseline: `bare Koa JSON route: ${fmt.rps(koaStatus!)}`,
            ratio,
            target: {
              goal: `status lookup ≥ ${statusGoal.toFixed(2)}× bare Koa (${label}), p99 ≤ 20 ms at 32 connections`,
              measured: `${ratio}, p99 ${ours!.p99.toFixed(1)} ms`,
              met: ours!.rps >= statusGoal * koaStatus!.rps && ours!.p99 <= 20,
            },
            note:
              `target ≥ ${statusGoal.toFixed(2)}× and p99 ≤ 20 ms (p99: worst round); rounds alternate with the baseline; one HTTP process; ${ours!.errors} errors. ` +
              'KYCPort authenticates the API key, counts the rate limits and reads the assurance (all cached after the first call, as in steady use); the baseline answers a fixed object',
          });
        }
      } finally {
        await subject.stop();
      }
    }

    // The same server with two HTTP processes (WEB_CONCURRENCY=2, node:cluster) sharing the port; Postgres only.
    if (withServices && only !== 'tokens' && kinds.includes('postgres')) {
      const kp2 = await startKycport({ WEB_CONCURRENCY: '2' });
      try {
        const s = await seed(kp2.db, loadConfig(kp2.env));
        // A subject row as a sign-in would have made it (same length as a real pairwise id).
        const sub = `psn_${crypto.randomBytes(24).toString('base64url')}`;
        await kp2.db('subjects').insert({ tenant_id: s.tenantId, person_id: s.personId, sub });
        const spec = { path: `/api/v1/kyc/${sub}/status`, headers: { authorization: `Bearer ${s.apiKey}` } };
        const [clusterStatus, koa2] = await statusRounds([{ origin: kp2.url, next: () => spec }, koaTarget(spec)]);
        rows.push({
          name: 'status lookup, WEB_CONCURRENCY=2 (two HTTP processes, 32 conns), Postgres + Redis',
          value: fmt.rps(clusterStatus!),
          baseline: `bare Koa JSON route (one process): ${fmt.rps(koa2!)}`,
          ratio: fmt.ratio(clusterStatus!.rps, koa2!.rps),
          note: `2 cores shared with the load generator; fresh processes (no OIDC traffic yet); ${clusterStatus!.errors} errors`,
        });
      } finally {
        await kp2.stop();
      }
    }
  } finally {
    await stopProcess(koa);
  }
  return rows;
}

/** Bare oidc-provider storing its artifacts like KYCPort of `kind` does (Redis, or an embedded PGlite of its own). */
export async function startBareOidc(kind: 'postgres' | 'embedded'): Promise<{ op: Op; stop(): Promise<void> }> {
  const port = await freePort();
  const secret = crypto.randomBytes(32).toString('base64url');
  const prefix = `kpbench:${crypto.randomBytes(4).toString('hex')}:`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-bench-bare-'));
  const store = kind === 'postgres' ? { STORE: 'redis', REDIS_URL, REDIS_PREFIX: prefix } : { STORE: 'pglite', DATA_DIR: dataDir };
  const child = await startProcess('bench/servers/bare-oidc.ts', { PORT: String(port), CLIENT_SECRET: secret, REDIRECT_URI: REDIRECT, ...store }, `http://127.0.0.1:${port}/.well-known/openid-configuration`);
  return {
    op: { origin: `http://127.0.0.1:${port}`, authPath: '/auth', tokenPath: '/token', clientId: 'bench', secret, browser: new Browser(), pid: child.pid },
    async stop() {
      await stopProcess(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (kind === 'postgres') {
        const r = new Redis(REDIS_URL);
        const keys = await r.keys(`${prefix}*`);
        if (keys.length) await r.del(...keys);
        r.disconnect();
      }
    },
  };
}
