// Shared helpers for the case API tests: a tenant with an API key and a client, persons who became the tenant's
// subjects by signing in (the real way), multipart uploads, and what is stored on disk/in the database.
import * as oidc from 'openid-client';
import { authRequest, discoverRp, signInThroughPages } from '../../support/oidc.js';
import { generatePassport, type GenerateOptions } from '../../support/documents/index.js';
import type { TestServer } from '../../support/server.js';

export interface TenantCtx {
  tenantId: string;
  apiKey: string;
  client: { client_id: string; client_secret?: string; redirect_uri: string };
}

export async function setupTenant(server: TestServer, name?: string): Promise<TenantCtx> {
  const tenantId = await server.tenant(name);
  const { api_key } = await server.apiKey(tenantId);
  const client = await server.client(tenantId);
  return { tenantId, apiKey: api_key, client };
}

export interface SignIn {
  sub: string;
  claims: Record<string, unknown>;
}

/** A full sign-in through the hosted pages with openid-client; returns the fresh ID token's claims. */
export async function signIn(server: TestServer, t: TenantCtx, person: { email: string; password: string }): Promise<SignIn> {
  const config = await discoverRp(server, t.client);
  const req = await authRequest(config, t.client.redirect_uri, 'openid kyc');
  const callback = await signInThroughPages(server, req.url, person);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
  const claims = tokens.claims()!;
  return { sub: claims.sub, claims: claims as Record<string, unknown> };
}

/** A new person who has signed in to the tenant once (so the tenant knows them as `sub`). */
export async function subject(server: TestServer, t: TenantCtx): Promise<{ id: string; email: string; password: string; sub: string }> {
  const person = await server.person();
  const { sub } = await signIn(server, t, person);
  return { ...person, sub };
}

export function api(server: TestServer, t: TenantCtx) {
  const headers = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${t.apiKey}`, ...extra });
  const json = (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) =>
    fetch(`${server.url}/api/v1/verification/cases${path}`, {
      method,
      headers: headers(body === undefined ? extra : { 'content-type': 'application/json', ...extra }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return {
    create: (body: unknown, extra?: Record<string, string>) => json('POST', '/', body, extra),
    get: (id: string) => json('GET', `/${id}/`),
    list: (query = '') => json('GET', `/${query}`),
    decide: (id: string, body?: unknown) => json('POST', `/${id}/decide/`, body),
    review: (id: string, body: unknown) => json('POST', `/${id}/review/`, body),
    challenge: (id: string) => json('GET', `/${id}/liveness/challenge/`),
    upload: (id: string, form: FormData) => fetch(`${server.url}/api/v1/verification/cases/${id}/upload/`, { method: 'POST', headers: headers(), body: form }),
    status: (sub: string) => fetch(`${server.url}/api/v1/kyc/${sub}/status`, { headers: headers() }),
  };
}

export type Api = ReturnType<typeof api>;

export interface UploadParts {
  document?: Buffer;
  documentBack?: Buffer;
  selfie?: Buffer;
  frames?: Buffer[];
  fields?: Record<string, string>;
  /** File name sent for every part (the server must not care). */
  filename?: string;
}

export function form(p: UploadParts): FormData {
  const f = new FormData();
  const name = p.filename ?? 'photo.jpg';
  const blob = (b: Buffer) => new Blob([new Uint8Array(b)], { type: 'image/jpeg' });
  if (p.document) f.append('document', blob(p.document), name);
  if (p.documentBack) f.append('document_back', blob(p.documentBack), name);
  if (p.selfie) f.append('selfie', blob(p.selfie), name);
  for (const fr of p.frames ?? []) f.append('frames', blob(fr), name);
  for (const [k, v] of Object.entries(p.fields ?? {})) f.append(k, v);
  return f;
}

/** Creates a t-level case for `sub` and returns its id. */
export async function newCase(a: Api, sub: string, level: 't1' | 't2' | 't3'): Promise<string> {
  const res = await a.create({ person_id: sub, level });
  if (res.status !== 201) throw new Error(`create case: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Rows and files a case left behind. */
export async function storedFor(server: TestServer, caseId: string): Promise<{ rows: number; files: string[] }> {
  const rows = await server.deps.db.knex('verification_files').where({ case_id: caseId }).count<{ count: number }[]>('* as count');
  const files = (await server.services.uploads.list()).filter((f) => f.startsWith(`${caseId}/`));
  return { rows: Number(rows[0]!.count), files };
}

/** Generated passports of person A (the webcam portrait), each with its own number `<prefix>NNNNNNN1`. */
export function passportMaker(prefix: string): (o?: GenerateOptions) => ReturnType<typeof generatePassport> {
  let n = 0;
  return (o = {}) => generatePassport({ portrait: 'personA_webcam', ...o, fields: { documentNumber: `${prefix}${String(++n).padStart(7, '0')}1`, ...o.fields } });
}
