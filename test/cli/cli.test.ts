// The admin CLI as an operator runs it: one JSON object on stdout, exit 2 on bad arguments.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { openInfra } from '../../src/infra.js';
import { failure } from '../../src/cli/outcome.js';
import { createPerson } from '../../src/persons/service.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';

const run = promisify(execFile);
const bin = path.resolve('bin/kycport.js');
let deps: TestDeps;
let env: NodeJS.ProcessEnv;
/** A person with two-step sign-in on who lost the device and the recovery codes. */
let locked: { id: string; email: string };

beforeAll(async () => {
  // The CLI opens its own connection: give it the test database (a fresh Postgres database, or PGlite files).
  deps = await createTestDeps();
  env = {
    ...process.env,
    NODE_ENV: 'development',
    DATA_DIR: deps.config.dataDir,
    KEYS_DIR: deps.config.keysDir,
    DATABASE_URL: deps.config.databaseUrl ?? '',
    REDIS_URL: '',
  };
  if (deps.db.kind === 'pglite') await deps.db.close(); // PGlite is single-process: hand the files to the CLI.
  // The test PGlite is in memory; the CLI's is the files in DATA_DIR: seed those while no CLI runs.
  const files = deps.db.kind === 'pglite' ? await openInfra(deps.config) : undefined;
  const db = files?.db.knex ?? deps.db.knex;
  locked = { ...(await createPerson(db, { email: 'lost.phone@example.com', password: 'correct horse battery', emailVerified: true })), email: 'lost.phone@example.com' };
  await db('persons').where({ id: locked.id }).update({ totp_secret: 'sealed secret', totp_enabled_at: new Date(), totp_last_step: 1 });
  await db('recovery_codes').insert([{ person_id: locked.id, code_hash: 'a' }, { person_id: locked.id, code_hash: 'b' }]);
  await files?.close();
});
afterAll(async () => {
  if (deps.db.kind === 'pglite') deps.db.close = async () => undefined;
  await deps?.cleanup();
});

/** Runs the CLI; a zero exit must print exactly one JSON line (asserted here, outside the exit-code handling). */
async function kycport(...args: string[]): Promise<{ code: number; out: unknown; err: string }> {
  const result = await run(process.execPath, [bin, ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
  if (result.code !== 0) return { code: result.code, out: result.stdout, err: result.stderr };
  const lines = result.stdout.trim().split('\n');
  expect(lines, `kycport ${args.join(' ')} prints one line`).toHaveLength(1);
  return { code: 0, out: JSON.parse(lines[0]!), err: result.stderr };
}

describe('kycport CLI', () => {
  it('creates a tenant, clients, API keys and persons; revokes keys; rotates signing keys', async () => {
    const tenant = await kycport('tenant', 'create', '--name', 'Acme Bank');
    expect(tenant.code).toBe(0);
    const tenantId = (tenant.out as { tenant_id: string }).tenant_id;
    expect(tenantId).toMatch(/^ten_/);

    const conf = await kycport('client', 'create', '--tenant', tenantId, '--redirect-uri', 'https://rp.example/cb', '--redirect-uri', 'https://rp.example/cb2');
    expect(conf.out).toEqual({ client_id: expect.stringMatching(/^cli_/), client_secret: expect.any(String) });
    const pub = await kycport('client', 'create', '--tenant', tenantId, '--redirect-uri', 'http://localhost:8080/cb', '--public');
    expect(Object.keys(pub.out as object)).toEqual(['client_id']);

    const key = await kycport('apikey', 'create', '--tenant', tenantId, '--name', 'backend');
    const { id, api_key, scopes } = key.out as { id: string; api_key: string; scopes: string[] };
    expect(api_key).toMatch(/^kp_live_[\w-]{32}$/);
    // Default: all four scopes, shown when created.
    expect(scopes).toEqual(['status:read', 'cases:write', 'sessions:write', 'webhooks:manage']);
    expect(await kycport('apikey', 'revoke', '--id', id)).toMatchObject({ code: 0, out: { id, revoked: true } });
    expect(commands['apikey create']!.usage).toContain('default: all four');

    const person = await kycport('person', 'create', '--email', 'ada@example.com', '--password', 'correct horse battery');
    expect(person.out).toEqual({ id: expect.stringMatching(/^per_/) });

    const k1 = await kycport('keys', 'rotate');
    const k2 = await kycport('keys', 'rotate');
    expect((k1.out as { kid: string }).kid).not.toBe((k2.out as { kid: string }).kid);
  });

  // In process (the same parse and run the binary calls, on the CLI's database): a spawn per step is too slow here.
  it('scoped keys; lists, updates and deletes tenants, clients and API keys', async () => {
    const infra = deps.db.kind === 'pglite' ? await openInfra(deps.config) : deps;
    const cli = async (...argv: string[]): Promise<{ code: number; out?: unknown; err?: string }> => {
      const c = commands[argv.slice(0, 2).join(' ')]!;
      try {
        return { code: 0, out: JSON.parse(JSON.stringify(await c.run(c.parse(argv.slice(2)), infra, { keysDir: deps.config.keysDir }))) };
      } catch (err) {
        const f = failure(err);
        return { code: f.code, err: f.stderr };
      }
    };
    try {
      const tenantId = ((await cli('tenant', 'create', '--name', 'Old Name')).out as { tenant_id: string }).tenant_id;
      const narrow = await cli('apikey', 'create', '--tenant', tenantId, '--scope', 'cases:write', '--scope', 'status:read');
      expect(narrow.out).toMatchObject({ scopes: ['status:read', 'cases:write'] });
      const bad = await cli('apikey', 'create', '--tenant', tenantId, '--scope', 'admin');
      expect(bad.code).toBe(2);
      expect(bad.err).toContain('unknown scope admin');
      const { id, api_key } = narrow.out as { id: string; api_key: string };
      // Listed with their scopes and last four characters, never the key.
      const listed = await cli('apikey', 'list', '--tenant', tenantId);
      expect(listed.out).toEqual({ data: [{ id, name: null, last4: api_key.slice(-4), scopes: ['status:read', 'cases:write'], livemode: true, created_at: expect.any(String), revoked_at: null }] });
      expect(JSON.stringify(listed.out)).not.toContain(api_key);
      expect((await cli('apikey', 'update', '--id', id, '--scope', 'status:read', '--name', 'reader')).out).toEqual({ id, name: 'reader', scopes: ['status:read'] });
      expect((await cli('apikey', 'update', '--id', id)).code).toBe(2);
      expect(await cli('apikey', 'delete', '--id', id)).toMatchObject({ code: 0, out: { id, deleted: true } });
      expect((await cli('apikey', 'list', '--tenant', tenantId)).out).toEqual({ data: [] });
      // --test: a kp_test_ key for test mode, listed as such.
      const testKey = (await cli('apikey', 'create', '--tenant', tenantId, '--test')).out as { id: string; api_key: string; livemode: boolean };
      expect(testKey).toMatchObject({ api_key: expect.stringMatching(/^kp_test_[\w-]{32}$/), livemode: false });
      expect((await cli('apikey', 'list', '--tenant', tenantId)).out).toMatchObject({ data: [{ id: testKey.id, livemode: false }] });
      expect(await cli('apikey', 'delete', '--id', testKey.id)).toMatchObject({ code: 0 });

      expect(await cli('tenant', 'update', '--id', tenantId, '--name', 'New Name')).toMatchObject({ code: 0, out: { id: tenantId, name: 'New Name' } });
      expect((await cli('tenant', 'list')).out).toMatchObject({ data: expect.arrayContaining([expect.objectContaining({ id: tenantId, name: 'New Name' })]) });

      const { client_id } = (await cli('client', 'create', '--tenant', tenantId, '--redirect-uri', 'https://rp.example/cb', '--name', 'Web')).out as { client_id: string };
      const updated = await cli('client', 'update', '--id', client_id, '--redirect-uri', 'https://rp.example/new', '--name', 'Web 2');
      expect(updated.out).toEqual({ client_id, tenant_id: tenantId, name: 'Web 2', redirect_uris: ['https://rp.example/new'], post_logout_redirect_uris: [], public: false, livemode: true });
      const testClient = (await cli('client', 'create', '--tenant', tenantId, '--redirect-uri', 'https://rp.example/test', '--test')).out as { client_id: string };
      expect((await cli('client', 'list', '--tenant', tenantId)).out).toMatchObject({ data: expect.arrayContaining([expect.objectContaining({ client_id: testClient.client_id, livemode: false })]) });
      expect(await cli('client', 'delete', '--id', testClient.client_id)).toMatchObject({ code: 0 });
      expect((await cli('client', 'update', '--id', client_id, '--redirect-uri', 'https://a.example/x', '--redirect-uri', 'https://b.example/x')).code).toBe(2);
      expect((await cli('client', 'list', '--tenant', tenantId)).out).toEqual({ data: [updated.out] });

      // A tenant with verification cases keeps them (decision records): deleting it is refused.
      const db = infra.db.knex;
      const { id: personId } = await createPerson(db, { email: 'cased@example.com', password: 'correct horse battery', emailVerified: true });
      const now = new Date();
      await db('verification_cases').insert({ id: 'vc_cli_test', tenant_id: tenantId, person_id: personId, sub: 'sub_cli', level: 't1', status: 'open', created_at: now, updated_at: now });
      expect(await cli('tenant', 'delete', '--id', tenantId)).toMatchObject({ code: 2, err: expect.stringContaining('decision records') });
      await db('verification_cases').where({ id: 'vc_cli_test' }).delete();

      expect(await cli('client', 'delete', '--id', client_id)).toMatchObject({ code: 0, out: { client_id, deleted: true } });
      expect(await cli('tenant', 'delete', '--id', tenantId)).toMatchObject({ code: 0, out: { id: tenantId, deleted: true } });
      expect((await cli('tenant', 'delete', '--id', tenantId)).code).toBe(2);

      // Each change is on the audit trail, by the CLI's OS user: the tenant's own chain, the operator's for the tenant.
      const trail = (await db('audit_entries').where({ chain: tenantId }).orderBy('seq')) as { action: string; actor_type: string }[];
      expect(trail.map((e) => e.action)).toEqual([
        'api_key.created', 'api_key.updated', 'api_key.deleted', 'api_key.created', 'api_key.deleted',
        'client.created', 'client.updated', 'client.created', 'client.deleted', 'client.deleted',
      ]);
      expect(new Set(trail.map((e) => e.actor_type))).toEqual(new Set(['cli']));
      const operator = (await db('audit_entries').where({ chain: 'operator', object_id: tenantId }).orderBy('seq')) as { action: string }[];
      expect(operator.map((e) => e.action)).toEqual(['tenant.created', 'tenant.updated', 'tenant.deleted']);
    } finally {
      if (infra !== deps) await infra.close();
    }
  });

  it('manages a tenant\'s redirect URIs for verification sessions and its branding', async () => {
    const tenantId = ((await kycport('tenant', 'create', '--name', 'Shop')).out as { tenant_id: string }).tenant_id;
    const added = await kycport('tenant', 'redirect-uris', 'add', '--tenant', tenantId, '--uri', 'https://shop.example/kyc/done');
    expect(added).toMatchObject({ code: 0, out: { tenant_id: tenantId, redirect_uris: ['https://shop.example/kyc/done'] } });
    expect((await kycport('tenant', 'redirect-uris', 'add', '--tenant', tenantId, '--uri', 'http://shop.example/x')).code).toBe(2);
    expect(await kycport('tenant', 'redirect-uris', 'list', '--tenant', tenantId)).toMatchObject({ out: { redirect_uris: ['https://shop.example/kyc/done'] } });
    expect(await kycport('tenant', 'redirect-uris', 'remove', '--tenant', tenantId, '--uri', 'https://shop.example/kyc/done')).toMatchObject({ code: 0, out: { redirect_uris: [] } });
    const logo = path.join(deps.config.dataDir, 'logo.png');
    fs.writeFileSync(logo, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)]));
    const branded = await kycport('tenant', 'branding', '--tenant', tenantId, '--display-name', 'Shop GmbH', '--accent-color', '#0A5CFF', '--logo', logo);
    expect(branded).toMatchObject({ code: 0, out: { tenant_id: tenantId, name: 'Shop GmbH', accentColor: '#0a5cff', hasLogo: true } });
    expect((await kycport('tenant', 'branding', '--tenant', tenantId, '--accent-color', 'blue')).code).toBe(2);
  });

  it('sandbox create: a tenant, a kp_test_ key, a person with a generated password, /docs/samples as a redirect URI', async () => {
    const r = await kycport('sandbox', 'create', '--name', 'Try it');
    expect(r).toMatchObject({
      code: 0,
      out: { tenant_id: expect.stringMatching(/^ten_/), api_key: expect.stringMatching(/^kp_test_/), livemode: false, person: { email: expect.stringMatching(/^sandbox-[0-9a-f]{8}@example\.test$/) }, redirect_uri: 'http://localhost:3000/docs/samples' },
    });
    const out = r.out as { tenant_id: string; person: { password: string } };
    expect(out.person.password.length).toBeGreaterThanOrEqual(16);
    expect(await kycport('tenant', 'redirect-uris', 'list', '--tenant', out.tenant_id)).toMatchObject({ out: { redirect_uris: ['http://localhost:3000/docs/samples'] } });
    expect((await kycport('apikey', 'list', '--tenant', out.tenant_id)).out).toMatchObject({ data: [{ name: 'sandbox' }] });
    expect((await kycport('sandbox', 'create', '--email', 'not-an-address')).code).toBe(2);
  });

  it('turns two-step sign-in off for a person who lost the device and the codes, and mails them', async () => {
    const off = await kycport('person', 'two-step-off', '--email', 'Lost.Phone@example.com');
    expect(off).toMatchObject({ code: 0, out: { person_id: locked.id, email: locked.email, was_on: true } });
    const spool = path.join(deps.config.dataDir, 'mail');
    const mails = fs.readdirSync(spool).map((f) => fs.readFileSync(path.join(spool, f), 'utf8'));
    expect(mails.filter((m) => m.includes(`To: ${locked.email}`) && m.includes('Subject: Two-step sign-in was turned off'))).toHaveLength(1);
    // It is off now (the secret and codes are gone: checked in test/persons/totp.test.ts); by id it says so.
    expect(await kycport('person', 'two-step-off', '--person', locked.id)).toMatchObject({ code: 0, out: { person_id: locked.id, was_on: false } });
    expect(await kycport('person', 'two-step-off', '--email', 'nobody@example.com')).toMatchObject({ code: 2, err: 'Person not found.\n' });
  });

  it('rejects bad arguments on stderr with exit code 2', async () => {
    for (const args of [
      ['tenant', 'create'],
      ['tenant', 'create', '--nmae', 'x'],
      ['client', 'create', '--tenant', 'ten_x'],
      ['client', 'create', '--tenant', 'ten_x', '--redirect-uri', 'http://evil.example/cb'],
      ['person', 'create', '--email', 'not-an-email', '--password', 'correct horse battery'],
      ['person', 'create', '--email', 'a@example.com', '--password', 'short'],
      ['person', 'two-step-off'],
      ['person', 'two-step-off', '--email', 'a@example.com', '--person', 'per_x'],
      ['frobnicate'],
    ]) {
      const r = await kycport(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.length).toBeGreaterThan(5);
    }
  });
});

describe('kycport help', () => {
  it('prints the usage with exit 0 for help, --help and -h; an unknown command gets the error and the usage, exit 2', async () => {
    for (const args of [['help'], ['--help'], ['-h']]) {
      const r = await run(process.execPath, [bin, ...args], { env });
      expect(r.stdout, args.join(' ')).toMatch(/^Usage: kycport <command>/);
      expect(r.stdout).toContain('tenant create --name NAME');
    }
    const one = await run(process.execPath, [bin, 'tenant', 'create', '--help'], { env });
    expect(one.stdout).toBe('Usage: kycport tenant create --name NAME\n');
    const unknown = await kycport('frobnicate', '--x');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^Unknown command: frobnicate --x\n\nUsage: kycport <command>/);
  });
});

describe('kycport staff', () => {
  it('create bootstraps an admin and prints the one-time set-password link; invite mails it; a tenant role needs its tenant', async () => {
    const withSecret = { ...env, SECRET_KEY: deps.config.secretKey };
    const staff = async (...args: string[]) => {
      const r = await run(process.execPath, [bin, 'staff', ...args], { env: withSecret }).then(
        ({ stdout }) => ({ code: 0, out: JSON.parse(stdout) as Record<string, unknown>, err: '' }),
        (e: { code: number; stderr: string }) => ({ code: e.code, out: {} as Record<string, unknown>, err: e.stderr }),
      );
      return r;
    };
    const admin = await staff('create', '--email', 'first.admin@example.com', '--role', 'admin');
    expect(admin.code).toBe(0);
    expect(admin.out).toMatchObject({ role: 'admin', tenant_id: null, account_created: true, mailed: false });
    expect(admin.out.set_password_link).toMatch(/\/password\/reset\?token=[\w-]{43}$/);
    // Again for the same person: the role is kept once, no new link (the account exists).
    expect((await staff('create', '--email', 'first.admin@example.com', '--role', 'admin')).out).toMatchObject({ account_created: false });
    const invited = await staff('invite', '--email', 'new.reviewer@example.com', '--role', 'reviewer');
    expect(invited.out).toMatchObject({ role: 'reviewer', account_created: true, mailed: true });
    expect(invited.out.set_password_link).toBeUndefined();
    const mails = fs.readdirSync(path.join(deps.config.dataDir, 'mail')).map((f) => fs.readFileSync(path.join(deps.config.dataDir, 'mail', f), 'utf8'));
    expect(mails.some((m) => m.includes('To: new.reviewer@example.com') && m.includes('/password/reset?token='))).toBe(true);
    const noTenant = await staff('invite', '--email', 'x@example.com', '--role', 'viewer');
    expect(noTenant.code).toBe(2);
    expect(noTenant.err).toContain('--tenant is required');
    expect((await staff('create', '--email', 'x@example.com', '--role', 'boss')).code).toBe(2);

    // list and remove: the reviewer's role goes; the last admin's stays (409 → exit 2 with the reason).
    const listed = (await staff('list')).out.data as { email: string; role: string }[];
    expect(listed.map((r) => `${r.email} ${r.role}`).sort()).toEqual(['first.admin@example.com admin', 'new.reviewer@example.com reviewer']);
    expect((await staff('remove', '--email', 'new.reviewer@example.com', '--role', 'reviewer')).out).toMatchObject({ removed: true });
    expect(((await staff('list')).out.data as unknown[]).length).toBe(1);
    const last = await staff('remove', '--email', 'first.admin@example.com', '--role', 'admin');
    expect(last.code).not.toBe(0);
    expect(last.err).toContain('last admin');
    expect((await staff('remove', '--email', 'nobody@example.com', '--role', 'reviewer')).code).not.toBe(0);
  });
});
