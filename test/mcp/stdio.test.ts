// `kycport mcp` as an assistant runs it: the SDK's client spawns the CLI and talks over stdin/stdout. The CLI
// opens the database itself (Postgres, or here on PGlite the data dir's files, which no server holds).
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { compose } from '../../src/compose.js';
import { openInfra } from '../../src/infra.js';
import { loadKeyMaterial } from '../../src/oidc/keys.js';
import { createPerson } from '../../src/persons/service.js';
import { createApiKey, createClient, createTenant } from '../../src/tenants/service.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { freePort } from '../support/net.js';

const bin = path.resolve('bin/kycport.js');
let deps: TestDeps;
let env: Record<string, string>;
const seed = { key: '', known: '', foreign: '', caseId: '', redirectUri: 'http://127.0.0.1:9/callback' };

beforeAll(async () => {
  deps = await createTestDeps({ env: { PUBLIC_URL: 'http://127.0.0.1:9' } });
  const c = deps.config;
  env = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    PUBLIC_URL: c.publicUrl,
    DATA_DIR: c.dataDir,
    KEYS_DIR: c.keysDir,
    DATABASE_URL: deps.directDatabaseUrl ?? '',
    REDIS_URL: process.env.REDIS_URL ?? '',
    REDIS_PREFIX: c.redisPrefix,
    SECRET_KEY: c.secretKey!,
    DOCUMENT_ENCRYPTION_KEY: c.documentEncryptionKey!,
  };
  // The test PGlite is in memory; the CLI's is the files in DATA_DIR: seed those, then hand them over.
  if (deps.db.kind === 'pglite') await deps.db.close();
  const files = deps.db.kind === 'pglite' ? await openInfra(c) : undefined;
  const infra = files ?? deps;
  const services = compose(infra, await loadKeyMaterial(c));
  const db = infra.db.knex;
  const tenant = (await createTenant(db, 'Stdio Bank')).tenant_id;
  const other = (await createTenant(db, 'Other Bank')).tenant_id;
  seed.key = (await createApiKey(db, { tenantId: tenant })).api_key;
  await createClient(db, c, { tenantId: tenant, redirectUris: [seed.redirectUri], public: false });
  const subject = async (tenantId: string) => {
    const p = await createPerson(db, { email: `stdio.${tenantId}@example.com`, password: 'correct horse battery', emailVerified: true });
    await services.persons.recordSubject(tenantId, p.id);
    return services.persons.pairwise(tenantId, p.id);
  };
  seed.known = await subject(tenant);
  seed.foreign = await subject(other);
  seed.caseId = (await services.cases.create({ tenantId: tenant, personId: seed.known, level: 't1' })).row.id;
  await services.close();
  await files?.close();
});
afterAll(async () => {
  if (deps?.db.kind === 'pglite') deps.db.close = async () => undefined;
  await deps?.cleanup();
});

async function spawn(key: string | undefined, extra: Record<string, string> = {}): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp'], env: { ...env, ...extra, ...(key === undefined ? {} : { KYCPORT_API_KEY: key }) }, stderr: 'pipe' });
  let err = '';
  transport.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const client = new Client({ name: 'kycport-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => err };
}

const text = (r: Awaited<ReturnType<Client['callTool']>>) => (r.content as { text: string }[])[0]!.text;

describe('kycport mcp (stdio)', () => {
  it('serves the tools and llms.txt with the key from KYCPORT_API_KEY', async () => {
    const { client, stderr } = await spawn(seed.key);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['create_verification_session', 'get_person_status', 'get_verification_session', 'list_verification_cases', 'list_webhook_deliveries']);

      const status = await client.callTool({ name: 'get_person_status', arguments: { person_id: seed.known } });
      expect(status.structuredContent).toMatchObject({ person_id: seed.known, kyc_status: 'unverified', kyc_tier: 't0' });
      const foreign = await client.callTool({ name: 'get_person_status', arguments: { person_id: seed.foreign } });
      expect(foreign.isError).toBe(true);
      expect(JSON.parse(text(foreign))).toEqual({ error: 'not_found', message: 'Person not found.' });

      const created = await client.callTool({ name: 'create_verification_session', arguments: { level: 't2', redirect_uri: seed.redirectUri } });
      const id = (created.structuredContent as { id: string }).id;
      expect(id).toMatch(/^vs_/);
      expect((await client.callTool({ name: 'get_verification_session', arguments: { id } })).structuredContent).toMatchObject({ id, level: 't2', status: 'created' });

      const cases = await client.callTool({ name: 'list_verification_cases', arguments: {} });
      expect((cases.structuredContent as { data: { id: string }[] }).data.map((c) => c.id)).toEqual([seed.caseId]);

      const { contents } = await client.readResource({ uri: 'http://127.0.0.1:9/llms.txt' });
      expect((contents[0] as { text: string }).text).toMatch(/^# KYCPort/);
      expect(stderr()).toBe('');
    } finally {
      await client.close();
    }
  });

  it('answers a missing or wrong key with an unauthorized error result and keeps serving', async () => {
    for (const key of [undefined, 'kp_live_not_a_key']) {
      const { client } = await spawn(key);
      try {
        for (let i = 0; i < 2; i++) {
          const res = await client.callTool({ name: 'get_person_status', arguments: { person_id: seed.known } });
          expect(res.isError).toBe(true);
          expect(JSON.parse(text(res))).toMatchObject({ error: 'unauthorized' });
        }
        expect((await client.listTools()).tools).toHaveLength(5);
      } finally {
        await client.close();
      }
    }
  });

  // PGlite only: on Postgres every process opens the database itself.
  it.runIf(!process.env.DATABASE_URL)('relays to the /mcp of the server that holds the embedded database', async () => {
    const infra = await openInfra(deps.config);
    const services = compose(infra, await loadKeyMaterial(deps.config));
    const port = await freePort();
    const server = http.createServer(buildApp(infra, await loadKeyMaterial(deps.config), services).callback());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const at = { HOST: '0.0.0.0', PORT: String(port) };
    try {
      const { client, stderr } = await spawn(seed.key, at);
      try {
        const status = await client.callTool({ name: 'get_person_status', arguments: { person_id: seed.known } });
        expect(status.structuredContent).toMatchObject({ person_id: seed.known, kyc_tier: 't0' });
        const foreign = await client.callTool({ name: 'get_person_status', arguments: { person_id: seed.foreign } });
        expect(JSON.parse(text(foreign))).toMatchObject({ error: 'not_found' });
        expect(stderr()).toBe('');
      } finally {
        await client.close();
      }
      // The server refuses the key at the first message (initialize): a JSON-RPC error, and the relay exits cleanly.
      await expect(spawn('kp_live_not_a_key', at)).rejects.toThrow(/invalid or revoked/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
      await infra.close();
    }
  });
});
