// `npm start` as a fresh operator runs it: embedded database, generated dev keys, discovery within 30 s,
// the admin CLI alongside the running server, and a restart keeps tenants, clients and persons.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as oidc from 'openid-client';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/net.js';
import { authRequest, discoverRp, signInThroughPages } from '../support/oidc.js';
import type { TestServer } from '../support/server.js';

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-start-'));
let child: ChildProcess | undefined;

afterAll(async () => {
  await stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function env() {
  const port = await freePort();
  const base = { ...process.env, NODE_ENV: 'development', DATA_DIR: path.join(dir, 'data'), KEYS_DIR: path.join(dir, 'keys'), DATABASE_URL: '', REDIS_URL: '' };
  return { port, env: { ...base, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` } };
}

async function start(e: NodeJS.ProcessEnv, port: number): Promise<number> {
  const t0 = Date.now();
  child = spawn('npm', ['start', '--silent'], { env: e, stdio: 'ignore', detached: true });
  for (;;) {
    if (Date.now() - t0 > 30_000) throw new Error('discovery not served within 30 s');
    const res = await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`).catch(() => undefined);
    if (res?.ok) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Entries under the test's DATA_DIR and KEYS_DIR with any group/other permission bit. */
function widerThanOwner(): { entries: number; wide: string[] } {
  const out = { entries: 0, wide: [] as string[] };
  const visit = (p: string) => {
    const st = fs.lstatSync(p);
    out.entries++;
    if (st.mode & 0o077) out.wide.push(`${(st.mode & 0o777).toString(8)} ${path.relative(dir, p)}`);
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  for (const d of ['data', 'keys']) visit(path.join(dir, d));
  return out;
}

async function stop(): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child!.once('exit', r));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
  child = undefined;
}

describe.skipIf(Boolean(process.env.DATABASE_URL))('npm start on the embedded database', () => {
  // Two starts of a real server and a dozen CLI processes: a generous budget on a loaded 2-core machine.
  it('serves discovery within 30 s, runs CLI commands while it holds the database, and a restart keeps them all', async () => {
    const { port, env: e } = await env();
    const cli = (...args: string[]) => run(process.execPath, ['bin/kycport.js', ...args], { env: e }).then((r) => JSON.parse(r.stdout));
    const cliFails = (...args: string[]) =>
      run(process.execPath, ['bin/kycport.js', ...args], { env: e }).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
      );
    const { tenant_id } = await cli('tenant', 'create', '--name', 'Persistent Bank');
    const client = { ...(await cli('client', 'create', '--tenant', tenant_id, '--redirect-uri', 'http://127.0.0.1:9/cb')), redirect_uri: 'http://127.0.0.1:9/cb' };
    const person = { email: 'restart@example.com', password: 'correct horse battery' };
    await cli('person', 'create', '--email', person.email, '--password', person.password);

    const signIn = async (rp = client, who = person) => {
      const server = { url: `http://127.0.0.1:${port}` } as TestServer;
      const config = await discoverRp(server, rp);
      const req = await authRequest(config, rp.redirect_uri, 'openid kyc');
      const callback = await signInThroughPages(server, req.url, who);
      const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
      return tokens.claims()!;
    };

    expect(await start(e, port)).toBeLessThan(30_000);
    // Development keys were generated on first start.
    expect(fs.readdirSync(path.join(dir, 'keys')).some((f) => f.endsWith('.jwk.json'))).toBe(true);
    const first = await signIn();
    expect(first.kyc_status).toBe('unverified');

    // The CLI while the server holds the embedded database: the server runs the command and the CLI prints it.
    expect(fs.statSync(path.join(dir, 'data', 'admin.sock')).mode & 0o777).toBe(0o600);
    const live = await cli('tenant', 'create', '--name', 'Live Bank');
    expect(live).toEqual({ tenant_id: expect.stringMatching(/^ten_/) });
    const liveClient = { ...(await cli('client', 'create', '--tenant', live.tenant_id, '--redirect-uri', 'http://127.0.0.1:9/live')), redirect_uri: 'http://127.0.0.1:9/live' };
    const livePerson = { email: 'live@example.com', password: 'correct horse battery' };
    expect(await cli('person', 'create', '--email', livePerson.email, '--password', livePerson.password)).toEqual({ id: expect.stringMatching(/^per_/) });
    const liveClaims = await signIn(liveClient, livePerson);
    expect(await cliFails('person', 'create', '--email', livePerson.email, '--password', livePerson.password)).toMatchObject({ code: 2, stderr: expect.stringContaining('already') });
    expect(await cliFails('apikey', 'create', '--tenant', 'ten_unknown')).toMatchObject({ code: 2, stderr: expect.stringContaining('Tenant not found') });
    expect(await cliFails('tenant', 'create')).toMatchObject({ code: 2, stderr: expect.stringContaining('--name is required') });
    // The audit trail over the socket too: a refused command wrote no entry; an export comes back as JSON lines.
    expect(await cli('audit', 'verify')).toMatchObject({ ok: true, chain: 'operator', entries: 4 });
    const exported = await run(process.execPath, ['bin/kycport.js', 'audit', 'export', '--from', '2000-01-01', '--to', '2100-01-01', '--tenant', live.tenant_id], { env: e });
    expect(exported.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action)).toEqual(['client.created']);
    // Owner-only files (issue 10 item 7): the database, its write-ahead log (tokens, password hashes) and keys.
    expect(widerThanOwner()).toEqual({ entries: expect.any(Number), wide: [] });
    expect(fs.statSync(path.join(dir, 'data')).mode & 0o777).toBe(0o700);
    await stop();
    expect(fs.existsSync(path.join(dir, 'data', 'admin.sock'))).toBe(false);

    // Modes left wide by an older version (or a copy) are tightened at the next start.
    fs.chmodSync(path.join(dir, 'data'), 0o755);
    fs.chmodSync(path.join(dir, 'data', 'pglite', 'PG_VERSION'), 0o666);
    await start(e, port);
    expect(widerThanOwner().wide).toEqual([]);
    const second = await signIn();
    expect(second.sub).toBe(first.sub);
    expect((await signIn(liveClient, livePerson)).sub).toBe(liveClaims.sub);
    await stop();
  }, 300_000);
});
