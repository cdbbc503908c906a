// `kycport audit verify|export` run for real, as an operator runs them (acceptance 4): entries written by CLI
// commands land in the right chains; a row changed through SQL with the trigger disabled makes verify exit
// non-zero naming that entry; untouched, it exits 0.
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInfra } from '../../src/infra.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';

const run = promisify(execFile);
const bin = path.resolve('bin/kycport.js');
let deps: TestDeps;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  deps = await createTestDeps();
  env = { ...process.env, NODE_ENV: 'development', DATA_DIR: deps.config.dataDir, KEYS_DIR: deps.config.keysDir, DATABASE_URL: deps.config.databaseUrl ?? '', REDIS_URL: '' };
  if (deps.db.kind === 'pglite') await deps.db.close(); // PGlite is single-process: the CLI opens the files in DATA_DIR.
});
afterAll(async () => {
  if (deps.db.kind === 'pglite') deps.db.close = async () => undefined;
  await deps?.cleanup();
});

async function kycport(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [bin, ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, unknown>;

/** SQL as someone with the owner's rights who turns the append-only trigger off (between CLI runs on PGlite). */
async function withDatabase<T>(fn: (db: TestDeps['db']['knex']) => Promise<T>): Promise<T> {
  if (deps.db.kind !== 'pglite') return fn(deps.db.knex);
  const files = await openInfra(deps.config);
  try {
    return await fn(files.db.knex);
  } finally {
    await files.close();
  }
}

describe('kycport audit', () => {
  let tenantId: string;
  let keyId: string;

  it('records CLI changes in the right chains, by the operating-system user, and verifies them', async () => {
    tenantId = json(await kycport('tenant', 'create', '--name', 'Acme Bank')).tenant_id as string;
    keyId = json(await kycport('apikey', 'create', '--tenant', tenantId, '--name', 'backend')).id as string;
    await kycport('apikey', 'revoke', '--id', keyId);

    const verified = await kycport('audit', 'verify', '--tenant', tenantId);
    expect(verified.code).toBe(0);
    expect(json(verified)).toMatchObject({ ok: true, chain: tenantId, entries: 2, head_seq: 2, head_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(json(await kycport('audit', 'verify'))).toMatchObject({ ok: true, chain: 'operator', entries: 1 });
    expect(json(await kycport('audit', 'verify', '--all'))).toMatchObject({ ok: true, chains: [{ chain: 'operator', entries: 1 }, { chain: tenantId, entries: 2 }] });

    const exported = await kycport('audit', 'export', '--from', '2000-01-01', '--to', '2100-01-01', '--tenant', tenantId);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as { tenant_id: string; seq: number; actor: object; action: string; object: object; details: object });
    expect(lines.map((e) => [e.tenant_id, e.seq, e.action, e.object])).toEqual([
      [tenantId, 1, 'api_key.created', { type: 'api_key', id: keyId }],
      [tenantId, 2, 'api_key.revoked', { type: 'api_key', id: keyId }],
    ]);
    expect(lines[0]!.actor).toEqual({ type: 'cli', id: os.userInfo().username });
    expect(lines[0]!.details).toEqual({ name: 'backend', scopes: ['status:read', 'cases:write', 'sessions:write', 'webhooks:manage'] });
    expect(exported.stdout).not.toContain('kp_live_');

    const all = await kycport('audit', 'export', '--from', '2000-01-01', '--to', '2100-01-01');
    expect(all.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { action: string }).action)).toEqual(['tenant.created', 'api_key.created', 'api_key.revoked']);
  });

  it('exits non-zero naming the entry changed through SQL with the trigger disabled', async () => {
    const changed = await withDatabase(async (db) => {
      const row = await db('audit_entries').where({ chain: tenantId, seq: 1 }).first();
      await db.transaction(async (trx) => {
        await trx.raw('alter table audit_entries disable trigger audit_entries_no_change');
        await trx('audit_entries').where({ id: row.id }).update({ details: JSON.stringify({ name: 'someone else' }) });
        await trx.raw('alter table audit_entries enable trigger audit_entries_no_change');
      });
      // With the trigger back on, the same change is refused.
      await expect(db('audit_entries').where({ id: row.id }).update({ action: 'x.y' })).rejects.toThrow(/append-only/);
      return row as { id: string };
    });
    const broken = await kycport('audit', 'verify', '--tenant', tenantId);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toContain(`audit chain ${tenantId} is broken at entry seq 1 (id ${changed.id}): hash_mismatch`);
    // Other chains are untouched; --all stops at the broken one.
    expect((await kycport('audit', 'verify')).code).toBe(0);
    expect(await kycport('audit', 'verify', '--all')).toMatchObject({ code: 1, stderr: expect.stringContaining(`audit chain ${tenantId} is broken at entry seq 1`) });
  });

  it('rejects bad arguments with exit code 2', async () => {
    expect(await kycport('audit', 'export', '--from', 'yesterday', '--to', '2100-01-01')).toMatchObject({ code: 2, stderr: expect.stringContaining('--from: not an ISO 8601 date') });
    expect(await kycport('audit', 'export', '--from', '2026-12-02', '--to', '2026-12-01')).toMatchObject({ code: 2, stderr: expect.stringContaining('--to must be after --from') });
    expect(await kycport('audit', 'export', '--to', '2026-12-01')).toMatchObject({ code: 2, stderr: expect.stringContaining('--from is required') });
    expect(await kycport('audit', 'verify', '--tenant', '')).toMatchObject({ code: 2 });
  });
});
