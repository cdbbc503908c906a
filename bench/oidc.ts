// Token-endpoint code exchanges/s (KYCPort on Postgres + Redis vs bare oidc-provider with its memory adapter)
// and status lookups/s (KYCPort vs a bare Koa JSON route), measured in the same run.
import crypto from 'node:crypto';
import { loadConfig } from '../src/config.js';
import { createPerson } from '../src/persons/service.js';
import { createApiKey, createClient, createTenant } from '../src/tenants/service.js';
import { Browser } from '../test/support/browser.js';
import { signInThroughPages } from '../test/support/oidc.js';
import type { TestServer } from '../test/support/server.js';
import { fmt, load, type LoadResult, type RequestSpec } from './lib/load.js';
import { servicesAvailable, startKycport } from './lib/services.js';
import { freePort, startProcess, stopProcess } from './lib/spawn.js';
import type { BenchRow } from './lib/types.js';

const REDIRECT = 'http://127.0.0.1:9/cb';
const VERIFIER = crypto.randomBytes(32).toString('base64url');
const CHALLENGE = crypto.createHash('sha256').update(VERIFIER).digest('base64url');
const BATCHES = 4;
// The baseline's memory adapter is a 1,000-entry LRU that also holds the opaque access tokens each exchange
// creates: codes + tokens of one batch must fit, or it evicts codes before they are used.
const BATCH = 400;
const CONNECTIONS = 16;
const STATUS_ROUNDS = 5;
const STATUS_ROUND_MS = 4000;

interface Op {
  origin: string;
  authPath: string;
  tokenPath: string;
  clientId: string;
  secret: string;
  browser: Browser;
}

async function collectCodes(op: Op, n: number): Promise<string[]> {
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

const tokenRequest = (op: Op, codes: string[]) => {
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
async function exchanges(ops: Op[]): Promise<LoadResult[]> {
  const all: LoadResult[][] = ops.map(() => []);
  for (let b = -1; b < BATCHES; b++) {
    for (const [i, op] of ops.entries()) {
      const codes = await collectCodes(op, BATCH);
      const r = await load(op.origin, { connections: CONNECTIONS, durationMs: 60_000, next: tokenRequest(op, codes) });
      if (r.errors) throw new Error(`${op.origin}: ${r.errors} failed exchanges; first: ${r.firstError}`);
      if (b >= 0) all[i]!.push(r);
    }
  }
  // Merge batches: total requests over total time; p50 averaged over batches, p99 the worst batch's.
  return all.map((rs) => {
    const requests = rs.reduce((n, r) => n + r.requests, 0);
    const seconds = rs.reduce((n, r) => n + r.seconds, 0);
    return { requests, errors: 0, seconds, rps: requests / seconds, p50: avg(rs.map((r) => r.p50)), p99: Math.max(...rs.map((r) => r.p99)) };
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

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export async function run(only?: 'tokens' | 'status'): Promise<BenchRow[]> {
  if (!(await servicesAvailable())) return [{ name: 'oidc', value: 'skipped', note: 'Postgres/Redis not reachable' }];
  const rows: BenchRow[] = [];

  // KYCPort on Postgres + Redis.
  const kp = await startKycport();
  const cfg = loadConfig(kp.env);
  const tenant = await createTenant(kp.db, 'Bench Bank');
  const client = await createClient(kp.db, cfg, { tenantId: tenant.tenant_id, redirectUris: [REDIRECT], public: false });
  const key = await createApiKey(kp.db, { tenantId: tenant.tenant_id });
  const person = { email: 'bench@example.com', password: 'correct horse battery' };
  const { id: personId } = await createPerson(kp.db, { ...person, emailVerified: true });
  const browser = new Browser();
  // One real sign-in through the hosted pages gives a session and a grant; later authorizations are silent.
  const first = new URL(`${kp.url}/api/oidc/auth`);
  for (const [k, v] of Object.entries({ client_id: client.client_id, response_type: 'code', scope: 'openid kyc', redirect_uri: REDIRECT, code_challenge: CHALLENGE, code_challenge_method: 'S256' })) first.searchParams.set(k, v);
  await signInThroughPages({ url: kp.url } as TestServer, first, person, browser);
  const sub = (await kp.db('subjects').where({ person_id: personId }).first()).sub as string;

  const statusPath = `/api/v1/kyc/${sub}/status`;
  const statusHeaders = { authorization: `Bearer ${key.api_key}` };
  let stopped: Promise<void> | undefined;
  const stopKp = () => (stopped ??= kp.stop());
  // Baselines run beside KYCPort for the whole area, so rounds can alternate.
  const koaPort = await freePort();
  const koa = await startProcess('bench/servers/bare-koa.ts', { PORT: String(koaPort) }, `http://127.0.0.1:${koaPort}/api/v1/kyc/x/status`);
  try {
    if (only !== 'status') {
      const barePort = await freePort();
      const bareSecret = crypto.randomBytes(32).toString('base64url');
      const bare = await startProcess('bench/servers/bare-oidc.ts', { PORT: String(barePort), CLIENT_SECRET: bareSecret, REDIRECT_URI: REDIRECT }, `http://127.0.0.1:${barePort}/.well-known/openid-configuration`);
      try {
        const [ours, baseline] = await exchanges([
          { origin: kp.url, authPath: '/api/oidc/auth', tokenPath: '/api/oidc/token', clientId: client.client_id, secret: client.client_secret!, browser },
          { origin: `http://127.0.0.1:${barePort}`, authPath: '/auth', tokenPath: '/token', clientId: 'bench', secret: bareSecret, browser: new Browser() },
        ]);
        rows.push({
          name: `token endpoint: code exchange (${CONNECTIONS} conns, ${BATCHES * BATCH} codes)`,
          value: fmt.rps(ours!),
          baseline: `bare oidc-provider (memory adapter): ${fmt.rps(baseline!)}`,
          ratio: fmt.ratio(ours!.rps, baseline!.rps),
          target: { goal: 'token exchange ≥ 0.60× bare oidc-provider', measured: fmt.ratio(ours!.rps, baseline!.rps), met: ours!.rps >= 0.6 * baseline!.rps },
          note: `target ≥ 0.60×; batches of ${BATCH} alternate between the servers; KYCPort: Postgres + Redis, JWT (at+jwt) access token + EdDSA ID token; baseline: opaque access token`,
        });
      } finally {
        await stopProcess(bare);
      }
    }

    // Status lookups on the server that just served the sign-in (and the exchanges): as in production, oidc-provider's
    // AsyncLocalStorage has switched on Node's promise hooks by then.
    const koaTarget = { origin: `http://127.0.0.1:${koaPort}`, next: () => ({ path: statusPath }) };
    const [oursStatus, koaStatus] = await statusRounds([{ origin: kp.url, next: () => ({ path: statusPath, headers: statusHeaders }) }, koaTarget]);
    await stopKp();
    rows.push({
      name: `status lookup GET /api/v1/kyc/{id}/status (32 conns, median of ${STATUS_ROUNDS} × ${STATUS_ROUND_MS / 1000} s rounds)`,
      value: fmt.rps(oursStatus!),
      baseline: `bare Koa JSON route: ${fmt.rps(koaStatus!)}`,
      ratio: fmt.ratio(oursStatus!.rps, koaStatus!.rps),
      target: {
        goal: 'status lookup ≥ 0.50× bare Koa, p99 ≤ 20 ms at 32 connections',
        measured: `${fmt.ratio(oursStatus!.rps, koaStatus!.rps)}, p99 ${oursStatus!.p99.toFixed(1)} ms`,
        met: oursStatus!.rps >= 0.5 * koaStatus!.rps && oursStatus!.p99 <= 20,
      },
      note: `target ≥ 0.50× and p99 ≤ 20 ms (p99: worst round); rounds alternate with the baseline; one HTTP process; ${oursStatus!.errors} errors`,
    });

    // The same server with two HTTP processes (WEB_CONCURRENCY=2, node:cluster) sharing the port.
    const kp2 = await startKycport({ WEB_CONCURRENCY: '2' });
    try {
      const t2 = await createTenant(kp2.db, 'Bench Bank');
      const key2 = await createApiKey(kp2.db, { tenantId: t2.tenant_id });
      const p2 = await createPerson(kp2.db, { ...person, emailVerified: true });
      await kp2.db('subjects').insert({ tenant_id: t2.tenant_id, person_id: p2.id, sub });
      const headers2 = { authorization: `Bearer ${key2.api_key}` };
      const [clusterStatus, koa2] = await statusRounds([{ origin: kp2.url, next: () => ({ path: statusPath, headers: headers2 }) }, koaTarget]);
      rows.push({
        name: 'status lookup, WEB_CONCURRENCY=2 (two HTTP processes, 32 conns)',
        value: fmt.rps(clusterStatus!),
        baseline: `bare Koa JSON route (one process): ${fmt.rps(koa2!)}`,
        ratio: fmt.ratio(clusterStatus!.rps, koa2!.rps),
        note: `2 cores shared with the load generator; fresh processes (no OIDC traffic yet); ${clusterStatus!.errors} errors`,
      });
    } finally {
      await kp2.stop();
    }
  } finally {
    await stopProcess(koa);
    await stopKp();
  }
  return rows;
}
