// Relying-party side helpers: openid-client configured as a real RP, and the browser walk through our pages.
import * as oidc from 'openid-client';
import { Browser, csrfOf, formAction } from './browser.js';
import type { TestServer } from './server.js';

export async function discoverRp(server: Pick<TestServer, 'url'>, c: { client_id: string; client_secret?: string }): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(server.url),
    c.client_id,
    { id_token_signed_response_alg: 'EdDSA' },
    c.client_secret ? oidc.ClientSecretBasic(c.client_secret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
}

export interface AuthRequest {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** `extra`: more authorization parameters (acr_values, claims, prompt, …). */
export async function authRequest(config: oidc.Configuration, redirectUri: string, scope = 'openid email kyc offline_access', extra: Record<string, string> = {}): Promise<AuthRequest> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(scope.includes('offline_access') ? { prompt: 'consent' } : {}),
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** Drives sign-in and consent through the hosted HTML forms; returns the RP callback URL. */
export async function signInThroughPages(
  server: TestServer,
  url: URL,
  person: { email: string; password: string },
  browser = new Browser(),
): Promise<URL> {
  let step = await browser.follow(url.href, server.url);
  for (let i = 0; i < 4; i++) {
    if (!step.url.startsWith(server.url)) return new URL(step.url);
    const page = await step.res.text();
    if (step.res.status !== 200) throw new Error(`unexpected ${step.res.status} at ${step.url}: ${page.slice(0, 400)}`);
    const action = new URL(formAction(page), server.url).href;
    const form: Record<string, string> = { csrf: csrfOf(page) };
    if (action.endsWith('/login')) Object.assign(form, { email: person.email, password: person.password });
    step = await browser.follow(action, server.url, { form });
  }
  throw new Error('sign-in did not reach the relying party');
}
