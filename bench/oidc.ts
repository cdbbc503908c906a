// Token-endpoint code exchanges/s (KYCPort on Postgres + Redis vs bare oidc-provider with its memory adapter)
// and status lookups/s (KYCPort vs a bare Koa JSON route), measured in the same run.
import crypto from 'node:crypto';
import { loadConfig } from '../src/config.js';
import { createPerson } from '../src/persons/service.js';
import { createApiKey, createClient, createTenant } from '../src/tenants/service.js';
import { Browser } from '../test/support/browser.js';
import { signInThroughPages } from '../test/support/oidc.js';
import type { TestServer } from '../test/support/server.js';
import { fmt, load, type LoadResult } from './lib/load.js';
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

async function exchanges(op: Op): Promise<LoadResult> {
  const auth = `Basic ${Buffer.from(`${encodeURIComponent(op.clientId)}:${encodeURIComponent(op.secret)}`).toString('base64')}`;
  const all: LoadResult[] = [];
  // Batch 0 warms up the JIT and connection pools on both servers and is not counted.
  for (let b = -1; b < BATCHES; b++) {
    const codes = await collectCodes(op, BATCH);
    all.push(
      await load(op.origin, {
        connections: CONNECTIONS,
        durationMs: 60_000,
        next: () => {
          const code = codes.pop();
          if (!code) return undefined;
          return {
            method: 'POST',
            path: op.tokenPath,
            headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER }).toString(),
          };
        },
      }),
    );
    if (b < 0) all.pop();
  }
  // Merge batches: total requests over total time; latency percentiles averaged per batch (each is p50/p99 of 600).
  const requests = all.reduce((s, r) => s + r.requests, 0);
  const seconds = all.reduce((s, r) => s + r.seconds, 0);
  const errors = all.reduce((s, r) => s + r.errors, 0);
  if (errors) throw new Error(`${op.origin}: ${errors} failed exchanges; first: ${all.find((r) => r.firstError)?.firstError}`);
  return { requests, errors, seconds, rps: requests / seconds, p50: avg(all.map((r) => r.p50)), p99: Math.max(...all.map((r) => r.p99)) };
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

  const ours = only === 'status' ? undefined : await exchanges({ origin: kp.url, authPath: '/api/oidc/auth', tokenPath: '/api/oidc/token', clientId: client.client_id, secret: client.client_secret!, browser });

  const statusPath = `/api/v1/kyc/${sub}/status`;
  const statusHeaders = { authorization: `Bearer ${key.api_key}` };
  await load(kp.url, { connections: 32, durationMs: 2000, next: () => ({ path: statusPath, headers: statusHeaders }) }); // warm-up
  const oursStatus = await load(kp.url, { connections: 32, durationMs: 10_000, next: () => ({ path: statusPath, headers: statusHeaders }) });
  await kp.stop();

  // The same server with two HTTP processes (WEB_CONCURRENCY=2, node:cluster) sharing the port.
  const kp2 = await startKycport({ WEB_CONCURRENCY: '2' });
  const t2 = await createTenant(kp2.db, 'Bench Bank');
  const key2 = await createApiKey(kp2.db, { tenantId: t2.tenant_id });
  const p2 = await createPerson(kp2.db, { ...person, emailVerified: true });
  await kp2.db('subjects').insert({ tenant_id: t2.tenant_id, person_id: p2.id, sub });
  const headers2 = { authorization: `Bearer ${key2.api_key}` };
  await load(kp2.url, { connections: 32, durationMs: 2000, next: () => ({ path: statusPath, headers: headers2 }) });
  const clusterStatus = await load(kp2.url, { connections: 32, durationMs: 10_000, next: () => ({ path: statusPath, headers: headers2 }) });
  await kp2.stop();

  // Bare oidc-provider, memory adapter.
  if (ours) {
  const barePort = await freePort();
  const bareSecret = crypto.randomBytes(32).toString('base64url');
  const bare = await startProcess('bench/servers/bare-oidc.ts', { PORT: String(barePort), CLIENT_SECRET: bareSecret, REDIRECT_URI: REDIRECT }, `http://127.0.0.1:${barePort}/.well-known/openid-configuration`);
  const baseline = await exchanges({ origin: `http://127.0.0.1:${barePort}`, authPath: '/auth', tokenPath: '/token', clientId: 'bench', secret: bareSecret, browser: new Browser() });
  await stopProcess(bare);
  rows.push({
    name: `token endpoint: code exchange (${CONNECTIONS} conns, ${BATCHES * BATCH} codes)`,
    value: fmt.rps(ours),
    baseline: `bare oidc-provider (memory adapter): ${fmt.rps(baseline)}`,
    ratio: fmt.ratio(ours.rps, baseline.rps),
    note: 'target ≥ 0.60×; KYCPort: Postgres + Redis, JWT (at+jwt) access token + EdDSA ID token; baseline: opaque access token',
  });
  }

  // Bare Koa JSON route.
  const koaPort = await freePort();
  const koa = await startProcess('bench/servers/bare-koa.ts', { PORT: String(koaPort) }, `http://127.0.0.1:${koaPort}/api/v1/kyc/x/status`);
  await load(`http://127.0.0.1:${koaPort}`, { connections: 32, durationMs: 2000, next: () => ({ path: statusPath }) });
  const koaStatus = await load(`http://127.0.0.1:${koaPort}`, { connections: 32, durationMs: 10_000, next: () => ({ path: statusPath }) });
  await stopProcess(koa);

  rows.push({
    name: 'status lookup GET /api/v1/kyc/{id}/status (32 conns, 10 s)',
    value: fmt.rps(oursStatus),
    baseline: `bare Koa JSON route: ${fmt.rps(koaStatus)}`,
    ratio: fmt.ratio(oursStatus.rps, koaStatus.rps),
    note: `target ≥ 0.50× and p99 ≤ 20 ms; one HTTP process; ${oursStatus.errors} errors`,
  });
  rows.push({
    name: 'status lookup, WEB_CONCURRENCY=2 (two HTTP processes, 32 conns, 10 s)',
    value: fmt.rps(clusterStatus),
    baseline: `bare Koa JSON route (one process): ${fmt.rps(koaStatus)}`,
    ratio: fmt.ratio(clusterStatus.rps, koaStatus.rps),
    note: `2 cores shared with the load generator; ${clusterStatus.errors} errors`,
  });
  return rows;
}
