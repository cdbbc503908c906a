// A real KYCPort server on a random loopback port, on the test database, with helpers for admin setup.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { buildApp } from '../../src/app.js';
import { compose, type Services } from '../../src/compose.js';
import type { Clock } from '../../src/clock.js';
import type { ApiScope } from '../../src/http/scopes.js';
import { loadKeyMaterial, type KeyMaterial } from '../../src/oidc/keys.js';
import { createPerson } from '../../src/persons/service.js';
import { createApiKey, createClient, createTenant } from '../../src/tenants/service.js';
import { createTestDeps, type TestDeps, type TestDepsOptions } from './deps.js';

export interface TestServer {
  url: string;
  deps: TestDeps;
  /** The Koa app currently answering (rebuilt by restart()). */
  app: Koa;
  /** The domain services the app was composed from (rebuilt by restart()). */
  services: Services;
  keys: KeyMaterial;
  tenant(name?: string): Promise<string>;
  client(tenantId: string, opts?: { public?: boolean; redirectUri?: string; name?: string | null; test?: boolean }): Promise<{ client_id: string; client_secret?: string; redirect_uri: string }>;
  /** Default: every scope, live. `test`: a kp_test_ key. */
  apiKey(tenantId: string, scopes?: readonly ApiScope[], opts?: { test?: boolean }): Promise<{ id: string; api_key: string; scopes: ApiScope[]; livemode: boolean }>;
  person(email?: string, password?: string): Promise<{ id: string; email: string; password: string }>;
  /** Like a process restart on the same port and database: reloads keys, rebuilds the app. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

export async function startTestServer(opts: { env?: Record<string, string>; clock?: Clock; via?: TestDepsOptions['via']; sharing?: TestServer } = {}): Promise<TestServer> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const deps = await createTestDeps({ clock: opts.clock, via: opts.via, sharing: opts.sharing?.deps, env: { PUBLIC_URL: url, RATE_LIMIT_LOGIN_PER_HOUR: '1000', ...opts.env } });
  let keys = await loadKeyMaterial(deps.config);
  let services = compose(deps, keys);
  let app = buildApp(deps, keys, services);
  let handler = app.callback();
  server.on('request', (req, res) => handler(req, res));
  const db = deps.db.knex;
  return {
    url,
    deps,
    get app() {
      return app;
    },
    get services() {
      return services;
    },
    get keys() {
      return keys;
    },
    async restart() {
      keys = await loadKeyMaterial(deps.config);
      await services.close();
      services = compose(deps, keys);
      app = buildApp(deps, keys, services);
      handler = app.callback();
    },
    tenant: async (name = `Tenant ${++counter}`) => (await createTenant(db, name)).tenant_id,
    async client(tenantId, o = {}) {
      const redirectUri = o.redirectUri ?? 'http://127.0.0.1:9/callback';
      const c = await createClient(db, deps.config, { tenantId, redirectUris: [redirectUri], public: Boolean(o.public), name: o.name === null ? undefined : (o.name ?? `App ${++counter}`), ...(o.test ? { test: true } : {}) });
      return { ...c, redirect_uri: redirectUri };
    },
    apiKey: (tenantId, scopes, o = {}) => createApiKey(db, { tenantId, ...(scopes ? { scopes } : {}), ...(o.test ? { test: true } : {}) }),
    async person(email = `person${++counter}.${Date.now()}@example.com`, password = 'correct horse battery') {
      const { id } = await createPerson(db, { email, password, emailVerified: true });
      return { id, email, password };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
      await deps.cleanup();
    },
  };
}
