// The MCP server at /mcp as an assistant reaches it: the SDK's own client over streamable HTTP, one live server.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../src/tenants/service.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function connect(key: string): Promise<Client> {
  const client = new Client({ name: 'kycport-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
  return client;
}

/** A person the tenant knows under its pairwise subject (as after an OIDC consent). */
async function subjectOf(tenantId: string): Promise<string> {
  const p = await server.person();
  await server.services.persons.recordSubject(tenantId, p.id);
  return server.services.persons.pairwise(tenantId, p.id);
}

/** A tool error result's body: the tenant API's error JSON, as its text. */
function errorOf(result: Awaited<ReturnType<Client['callTool']>>): { error: string; message: string } {
  expect(result.isError).toBe(true);
  return JSON.parse((result.content as { text: string }[])[0]!.text) as { error: string; message: string };
}

const rpc = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(body) });

describe('MCP over streamable HTTP', () => {
  let tenantA: string;
  let keyA: string;
  let client: Client;

  beforeAll(async () => {
    tenantA = await server.tenant('MCP Bank');
    keyA = (await server.apiKey(tenantA)).api_key;
    client = await connect(keyA);
  });
  afterAll(() => client?.close());

  it('lists the five tools, with input and output schemas, and llms.txt as a resource', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['create_verification_session', 'get_person_status', 'get_verification_session', 'list_verification_cases', 'list_webhook_deliveries']);
    const status = tools.find((t) => t.name === 'get_person_status')!;
    expect(status.inputSchema.required).toEqual(['person_id']);
    expect(status.outputSchema?.properties).toHaveProperty('kyc_tier');
    expect(status._meta).toEqual({ 'kycport/scope': 'status:read' });

    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual([`${server.url}/llms.txt`]);
    const { contents } = await client.readResource({ uri: `${server.url}/llms.txt` });
    const served = await (await fetch(`${server.url}/llms.txt`)).text();
    expect((contents[0] as { text: string }).text).toBe(served);
  });

  it("reads a known person's status; another tenant's person is a not_found tool error", async () => {
    const sub = await subjectOf(tenantA);
    const ok = await client.callTool({ name: 'get_person_status', arguments: { person_id: sub } });
    expect(ok.isError).toBeFalsy();
    // The status route's fields, no more: the same read through the tenant API answers the same object.
    const api = await (await fetch(`${server.url}/api/v1/kyc/${sub}/status`, { headers: { authorization: `Bearer ${keyA}` } })).json();
    expect(ok.structuredContent).toEqual(api);
    expect(ok.structuredContent).toMatchObject({ person_id: sub, kyc_status: 'unverified', kyc_tier: 't0', aml_clear: null, verified_at: null, expires_at: null });
    expect((ok.content as { text: string }[])[0]!.text).toContain('unverified');

    const foreign = await subjectOf(await server.tenant('Other Bank'));
    const res = await client.callTool({ name: 'get_person_status', arguments: { person_id: foreign } });
    expect(errorOf(res)).toEqual({ error: 'not_found', message: 'Person not found.' });
  });

  it('creates a verification session and reads it back; a bad input is a tool error, not a transport failure', async () => {
    const { redirect_uri } = await server.client(tenantA);
    const created = await client.callTool({ name: 'create_verification_session', arguments: { level: 't1', external_user_id: 'mcp-user-1', redirect_uri } });
    expect(created.isError).toBeFalsy();
    const session = created.structuredContent as { id: string; status: string; url: string };
    expect(session).toMatchObject({ status: 'created', level: 't1', external_user_id: 'mcp-user-1' });
    expect(session.url).toMatch(new RegExp(`^${server.url}/verify/`));

    const read = await client.callTool({ name: 'get_verification_session', arguments: { id: session.id } });
    expect(read.structuredContent).toMatchObject({ id: session.id, status: 'created' });

    const unknown = await client.callTool({ name: 'get_verification_session', arguments: { id: 'vs_nope' } });
    expect(errorOf(unknown).error).toBe('not_found');
    // A redirect_uri the tenant never registered: the sessions service refuses it, with its code.
    const unregistered = await client.callTool({ name: 'create_verification_session', arguments: { level: 't1', redirect_uri: 'https://evil.example/cb' } });
    expect(errorOf(unregistered).error).toMatch(/redirect_uri|validation/);
    // Refused by the route contract's own schema before the tool runs (the SDK's message, still a tool error).
    const invalid = await client.callTool({ name: 'create_verification_session', arguments: { level: 't9', redirect_uri } });
    expect(invalid.isError).toBe(true);
    expect((invalid.content as { text: string }[])[0]!.text).toMatch(/level/);
  });

  it('a test key (kp_test_) works in test mode: its sessions and status say livemode false, and the live key cannot read them', async () => {
    const test = await connect((await server.apiKey(tenantA, undefined, { test: true })).api_key);
    try {
      const { redirect_uri } = await server.client(tenantA);
      const created = await test.callTool({ name: 'create_verification_session', arguments: { level: 't1', redirect_uri } });
      const session = created.structuredContent as { id: string; livemode: boolean };
      expect(session.livemode).toBe(false);
      expect(errorOf(await client.callTool({ name: 'get_verification_session', arguments: { id: session.id } })).error).toBe('not_found');
      const status = await test.callTool({ name: 'get_person_status', arguments: { person_id: await subjectOf(tenantA) } });
      expect(status.structuredContent).toMatchObject({ kyc_status: 'unverified', livemode: false });
    } finally {
      await test.close();
    }
  });

  it('lists cases by outcome only: no document data', async () => {
    const sub = await subjectOf(tenantA);
    const opened = await server.services.cases.create({ tenantId: tenantA, personId: sub, level: 't1' });
    const res = await client.callTool({ name: 'list_verification_cases', arguments: { person_id: sub } });
    expect(res.isError).toBeFalsy();
    const { data, next_cursor } = res.structuredContent as { data: Record<string, unknown>[]; next_cursor: string | null };
    expect(next_cursor).toBeNull();
    expect(data).toEqual([expect.objectContaining({ id: opened.row.id, person_id: sub, status: 'open', outcome: null, reasons: [] })]);
    expect(Object.keys(data[0]!)).not.toContain('document');
  });

  it("lists a webhook endpoint's deliveries; another tenant's endpoint is not_found", async () => {
    const byTest = { type: 'cli', id: 'mcp-test' } as const;
    const endpoint = await server.services.webhooks.createEndpoint(tenantA, { url: 'https://hooks.example.com/kyc', events: ['*'] }, byTest);
    const res = await client.callTool({ name: 'list_webhook_deliveries', arguments: { endpoint_id: endpoint.id } });
    expect(res).toMatchObject({ structuredContent: { data: [], next_cursor: null } });
    const other = await server.services.webhooks.createEndpoint(await server.tenant(), { url: 'https://hooks.example.com/b', events: ['*'] }, byTest);
    const foreign = await client.callTool({ name: 'list_webhook_deliveries', arguments: { endpoint_id: other.id } });
    expect(errorOf(foreign).error).toBe('not_found');
  });

  it('refuses a missing, unknown or revoked key with 401 and a JSON-RPC error, and keeps serving', async () => {
    const init = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    for (const headers of [{}, { authorization: 'Bearer kp_live_unknown' }] as Record<string, string>[]) {
      const res = await rpc(init, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32010, data: { error: 'unauthorized' } } });
    }
    await expect(connect('kp_live_wrong')).rejects.toThrow(/invalid or revoked/);

    const revoked = await server.apiKey(tenantA);
    await revokeApiKey(server.deps.db.knex, server.deps.clock, revoked.id);
    expect((await rpc(init, { authorization: `Bearer ${revoked.api_key}` })).status).toBe(401);

    // Still serving the good key, over the same connection and a new one.
    expect((await client.listTools()).tools).toHaveLength(5);
    const again = await connect(keyA);
    expect((await again.listTools()).tools).toHaveLength(5);
    await again.close();
  });

  it('answers a bad body, a GET and a wrong media type with JSON-RPC errors', async () => {
    const auth = { authorization: `Bearer ${keyA}` };
    const bad = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: -32700, data: { error: 'invalid_json' } } });
    const get = await fetch(`${server.url}/mcp`, { headers: auth });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const text = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...auth, 'content-type': 'text/plain' }, body: 'hi' });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
  });

  it('refuses a tool outside the key\'s scopes with insufficient_scope, as the API refuses the route', async () => {
    const { api_key } = await createApiKey(server.deps.db.knex, { tenantId: tenantA, scopes: ['status:read'] });
    const c = await connect(api_key);
    try {
      const sub = await subjectOf(tenantA);
      expect((await c.callTool({ name: 'get_person_status', arguments: { person_id: sub } })).isError).toBeFalsy();
      expect(errorOf(await c.callTool({ name: 'list_verification_cases', arguments: {} }))).toMatchObject({ error: 'insufficient_scope', message: expect.stringContaining('cases:write') });
      expect(errorOf(await c.callTool({ name: 'create_verification_session', arguments: { external_user_id: 'u1', level: 't1', redirect_uri: 'https://rp.example/back' } }))).toMatchObject({ error: 'insufficient_scope' });
    } finally {
      await c.close();
    }
  });
});

describe('MCP rate limits', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ env: { RATE_LIMIT_API_PER_MINUTE: '3' }, sharing: server });
  });
  afterAll(() => limited?.close());

  it("counts /mcp requests on the key's API limit, with a JSON-RPC 429", async () => {
    const { api_key } = await limited.apiKey(await limited.tenant());
    const auth = { authorization: `Bearer ${api_key}` };
    const post = () => fetch(`${limited.url}/mcp`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    // One tenant API call and two MCP calls use up the key's three a minute.
    expect((await fetch(`${limited.url}/api/v1/verification/cases`, { headers: auth })).status).toBe(200);
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
    // With a shared store the API limiter counts in process and reconciles every 100 ms (http/rate-limit.ts):
    // let the counts settle before the hit that goes over.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32029, data: { error: 'rate_limited' } } });
  });
});
