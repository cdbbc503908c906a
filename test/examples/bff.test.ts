// The example relying party (examples/bff, issue 14 §4) end to end against a live KYCPort: sign-in through the
// hosted pages with a cookie-jar browser, the httpOnly session cookie, the tier-gated page sending a t0 person
// through the acr step-up and letting them in once a case verified them at t2, and its webhook receiver accepting
// a real signed delivery and refusing a forged one.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KycPort, type WebhookEvent } from '@kycport/sdk';
import { createBff } from '../../examples/bff/app.js';
import { importListFile } from '../../src/screening/index.js';
import { signedHeaders } from '../../src/webhooks/signing.js';
import { buildWebhookParts, type WebhookParts } from '../../src/webhooks/workers.js';
import { FTM_FIXTURE } from '../fixtures/screening/index.js';
import { Browser, csrfOf } from '../support/browser.js';
import { generatePassport } from '../support/documents/index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { personA } from '../verification/engine/face/samples.js';

let server: TestServer;
let bff: http.Server;
let bffUrl: string;
let kyc: KycPort;
let parts: WebhookParts;
let endpoint: { id: string; secret: string };
const events: WebhookEvent[] = [];
const browser = new Browser();
let person: { email: string; password: string };

beforeAll(async () => {
  server = await startTestServer({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
  parts = buildWebhookParts(server.deps);
  // The BFF's address first: its client's redirect URI and its webhook endpoint name it.
  bff = http.createServer();
  await new Promise<void>((resolve) => bff.listen(0, '127.0.0.1', resolve));
  bffUrl = `http://127.0.0.1:${(bff.address() as AddressInfo).port}`;
  const tenantId = await server.tenant('BFF Shop');
  const { api_key } = await server.apiKey(tenantId);
  const client = await server.client(tenantId, { redirectUri: `${bffUrl}/callback` });
  kyc = new KycPort({ baseUrl: server.url, apiKey: api_key });
  endpoint = await kyc.webhooks.endpoints.create({ url: `${bffUrl}/webhooks/kycport`, events: ['webhook.test'] });
  const app = await createBff({
    publicUrl: bffUrl,
    kycportUrl: server.url,
    clientId: client.client_id,
    clientSecret: client.client_secret!,
    apiKey: api_key,
    webhookSecret: endpoint.secret,
    onEvent: (e) => void events.push(e),
  });
  bff.on('request', app.callback());
  person = await server.person();
});
afterAll(async () => {
  parts?.client.close();
  await parts?.queue.close();
  bff?.closeAllConnections();
  await new Promise<void>((resolve) => bff?.close(() => resolve()));
  await server?.close();
});

interface Walk {
  /** The last answer: a BFF page, or the redirect into KYCPort's hosted verification. */
  res: Response;
  url: URL;
  /** Every answer from the BFF's /callback on the way. */
  callbacks: Response[];
}

/** Follows redirects across both servers and fills KYCPort's sign-in and consent forms, like a browser would. */
async function walk(start: string): Promise<Walk> {
  const callbacks: Response[] = [];
  let url = new URL(start);
  let res = await browser.fetch(url.href);
  for (let i = 0; i < 20; i++) {
    if (url.href.startsWith(`${bffUrl}/callback`)) callbacks.push(res);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url);
      if (url.href.startsWith(server.url) && url.pathname.startsWith('/verify/')) return { res, url, callbacks };
      res = await browser.fetch(url.href);
      continue;
    }
    if (!url.href.startsWith(server.url)) return { res, url, callbacks };
    const html = await res.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action || !/\/(login|confirm)$/.test(action)) throw new Error(`unexpected KYCPort page ${url.href}: ${html.slice(0, 300)}`);
    const form: Record<string, string> = { csrf: csrfOf(html) };
    if (action.endsWith('/login')) Object.assign(form, { email: person.email, password: person.password });
    url = new URL(action, server.url);
    res = await browser.fetch(url.href, { form });
  }
  throw new Error('the walk did not end');
}

describe('the example BFF', () => {
  let sub: string;

  it('signs in with KYCPort; the browser gets only an httpOnly session cookie', async () => {
    const home = await browser.fetch(`${bffUrl}/`);
    expect(await home.text()).toContain('Sign in with KYCPort');

    const w = await walk(`${bffUrl}/login`);
    expect(w.url.href).toBe(`${bffUrl}/`);
    const page = await w.res.text();
    expect(page).toContain(person.email);
    sub = /subject <code>([^<]+)<\/code>/.exec(page)![1]!;
    expect(page).toContain('tier at sign-in: <strong>t0</strong>');

    const [callback] = w.callbacks;
    expect(callback!.status).toBe(302);
    const session = callback!.headers.getSetCookie().find((c) => c.startsWith('bff_session='))!;
    expect(session).toMatch(/; httponly/i);
    expect(session).toMatch(/samesite=lax/i);
    // Nothing token-like reaches the browser: no JWT in any cookie or page.
    expect(callback!.headers.getSetCookie().join(' ')).not.toMatch(/eyJ/);
    expect(page).not.toMatch(/eyJ/);
  });

  it('sends a t0 person from the gated page through the acr step-up, and lets them in once verified at t2', async () => {
    const stop = await walk(`${bffUrl}/verified`);
    // Already signed in at KYCPort: straight to the hosted verification for the essential tier.
    const m = /^\/verify\/step-up\/([\w-]+)$/.exec(stop.url.pathname);
    expect(m, stop.url.href).toBeTruthy();
    expect(stop.url.searchParams.get('level')).toBe('t2');

    // The person verifies (here through the case API, as the hosted flow would), then comes back to the sign-in.
    await importListFile(server.deps.db, FTM_FIXTURE);
    const c = await kyc.cases.create({ person_id: sub, level: 't2' });
    const passport = await generatePassport({ portrait: 'personA_webcam', fields: { documentNumber: 'S12345671' } });
    await kyc.cases.upload(c.id, { document: passport.image, selfie: await personA.find((s) => s.id === 'grid-0-15')!.load() });
    expect(await kyc.cases.decide(c.id)).toMatchObject({ outcome: 'approved' });

    const done = await walk(`${server.url}/interaction/${m![1]}/stepped-up`);
    expect(done.url.href).toBe(`${bffUrl}/verified`);
    expect(done.res.status).toBe(200);
    expect(await done.res.text()).toContain('verified at tier t2');
  });

  it('accepts a real signed delivery once, and refuses a forged or stale one', async () => {
    await kyc.webhooks.endpoints.test(endpoint.id);
    await parts.relay.drain();
    await parts.dispatchers[0]!.runOnce();
    expect(events.map((e) => e.type)).toEqual(['webhook.test']);
    expect((await kyc.webhooks.endpoints.deliveries(endpoint.id)).data[0]).toMatchObject({ status_code: 204 });

    const body = JSON.stringify({ id: 'evt_forged', type: 'person.deleted', created_at: new Date().toISOString(), tenant_id: 'x', data: {} });
    const post = (headers: Record<string, string>) => fetch(`${bffUrl}/webhooks/kycport`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const now = Math.floor(Date.now() / 1000);
    const wrongKey = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    expect((await post(signedHeaders([wrongKey], 'msg_forged', now, body))).status).toBe(400);
    expect((await post(signedHeaders([endpoint.secret], 'msg_old', now - 3600, body))).status).toBe(400);
    expect((await post({})).status).toBe(400);
    expect(events).toHaveLength(1);
  });
});
