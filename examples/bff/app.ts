// A back-end-for-frontend (BFF) relying on KYCPort: "Sign in with KYCPort" (authorization code + PKCE, with
// openid-client), a session kept on the server behind an httpOnly cookie (tokens never reach the browser), a page
// for verified people only that sends anyone below the tier through KYCPort's step-up, and a webhook receiver
// verified with the SDK. Everything lives in memory: a real deployment keeps sessions in a store.
import crypto from 'node:crypto';
import Router from '@koa/router';
import Koa from 'koa';
import * as oidc from 'openid-client';
import { KycPort, verifyWebhook, WebhookVerificationError, type WebhookEvent } from '@kycport/sdk';

export type Tier = 't0' | 't1' | 't2' | 't3';

export interface BffOptions {
  /** Where this BFF is reached, e.g. https://app.example.com (its redirect URI is `${publicUrl}/callback`). */
  publicUrl: string;
  /** The KYCPort server, e.g. https://id.example.com. */
  kycportUrl: string;
  /** A confidential client registered with `kycport client create --redirect-uri ${publicUrl}/callback`. */
  clientId: string;
  clientSecret: string;
  /** A tenant API key (`kycport apikey create`), for live status reads. */
  apiKey: string;
  /** The `whsec_…` secret of the webhook endpoint pointing at `${publicUrl}/webhooks/kycport`. */
  webhookSecret: string;
  /** The tier the /verified page needs (default t2). */
  requiredTier?: Tier;
  /** Called once per verified webhook delivery. */
  onEvent?: (event: WebhookEvent) => void | Promise<void>;
}

/** What the server keeps per signed-in browser. The browser only ever holds the random session id. */
interface Session {
  sub: string;
  email: string | undefined;
  /** The tier in the ID token at sign-in (the `acr`); the gated page re-reads the live status. */
  tier: Tier;
  tokens: oidc.TokenEndpointResponse;
}

/** An authorization request in flight: PKCE verifier, state and nonce, kept server-side for 10 minutes. */
interface Pending {
  verifier: string;
  state: string;
  nonce: string;
  returnTo: string;
  expires: number;
}

const SESSION_COOKIE = 'bff_session';
const LOGIN_COOKIE = 'bff_login';
const TIERS: Tier[] = ['t0', 't1', 't2', 't3'];
const ACR_PREFIX = 'urn:kycport:tier:';

const rank = (tier: string) => TIERS.indexOf(tier as Tier);
const newId = () => crypto.randomBytes(32).toString('base64url');
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${body}</body></html>`;

export async function createBff(opts: BffOptions): Promise<Koa> {
  const required = opts.requiredTier ?? 't2';
  const secure = opts.publicUrl.startsWith('https://');
  const redirectUri = `${opts.publicUrl}/callback`;
  // KYCPort signs ID tokens with EdDSA (Ed25519); plain http is for local development only.
  const config = await oidc.discovery(
    new URL(opts.kycportUrl),
    opts.clientId,
    { id_token_signed_response_alg: 'EdDSA' },
    oidc.ClientSecretBasic(opts.clientSecret),
    opts.kycportUrl.startsWith('http://') ? { execute: [oidc.allowInsecureRequests] } : undefined,
  );
  const kyc = new KycPort({ baseUrl: opts.kycportUrl, apiKey: opts.apiKey });
  const sessions = new Map<string, Session>();
  const pending = new Map<string, Pending>();
  const seenDeliveries = new Set<string>();
  const cookie = { httpOnly: true, sameSite: 'lax', secure, path: '/' } as const;

  const app = new Koa();
  const router = new Router();
  const sessionOf = (ctx: Koa.Context) => sessions.get(ctx.cookies.get(SESSION_COOKIE) ?? '');
  /** Only our own paths: an open redirect would hand the sign-in to anyone's page. */
  const localPath = (p: unknown) => (typeof p === 'string' && /^\/(?!\/)/.test(p) ? p : '/');

  router.get('/', (ctx) => {
    const s = sessionOf(ctx);
    ctx.body = s
      ? page('Signed in', `<p>Signed in as <code>${esc(s.email ?? s.sub)}</code> (subject <code>${esc(s.sub)}</code>), tier at sign-in: <strong>${s.tier}</strong>.</p><p><a href="/verified">Verified customers only</a></p><form method="post" action="/logout"><button>Sign out</button></form>`)
      : page('Welcome', '<p><a href="/login">Sign in with KYCPort</a></p>');
  });

  // Starts a sign-in. `?tier=t2` asks KYCPort for that tier as an essential acr: a person below it is taken
  // through the hosted verification inside the sign-in, and not reaching it comes back as an error, never as a
  // lower-tier session that would bounce straight back here.
  router.get('/login', async (ctx) => {
    const tier = typeof ctx.query.tier === 'string' && rank(ctx.query.tier) > 0 ? (ctx.query.tier as Tier) : undefined;
    const p: Pending = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce(), returnTo: localPath(ctx.query.return), expires: Date.now() + 600_000 };
    const id = newId();
    pending.set(id, p);
    ctx.cookies.set(LOGIN_COOKIE, id, { ...cookie, maxAge: 600_000 });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email kyc',
      code_challenge: await oidc.calculatePKCECodeChallenge(p.verifier),
      code_challenge_method: 'S256',
      state: p.state,
      nonce: p.nonce,
      ...(tier ? { claims: JSON.stringify({ id_token: { acr: { essential: true, value: `${ACR_PREFIX}${tier}` } } }) } : {}),
    });
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const loginId = ctx.cookies.get(LOGIN_COOKIE) ?? '';
    const p = pending.get(loginId);
    pending.delete(loginId);
    ctx.cookies.set(LOGIN_COOKIE, null, cookie);
    if (!p || p.expires < Date.now()) {
      ctx.status = 400;
      ctx.body = page('Sign-in expired', '<p><a href="/login">Start again</a></p>');
      return;
    }
    const here = new URL(ctx.originalUrl, opts.publicUrl);
    if (here.searchParams.get('error') === 'unmet_authentication_requirements' && here.searchParams.get('state') === p.state) {
      ctx.status = 403;
      ctx.body = page('Verification needed', `<p>This page is for customers verified at tier ${required}. You can verify any time: <a href="/login?tier=${required}&amp;return=${encodeURIComponent(p.returnTo)}">verify now</a>.</p>`);
      return;
    }
    let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      tokens = await oidc.authorizationCodeGrant(config, here, { pkceCodeVerifier: p.verifier, expectedState: p.state, expectedNonce: p.nonce, idTokenExpected: true });
    } catch (err) {
      ctx.status = 400;
      ctx.body = page('Sign-in failed', `<p>${esc(err instanceof Error ? err.message : 'unknown error')}</p><p><a href="/login">Try again</a></p>`);
      return;
    }
    const claims = tokens.claims()!;
    const acr = typeof claims.acr === 'string' && claims.acr.startsWith(ACR_PREFIX) ? claims.acr.slice(ACR_PREFIX.length) : 't0';
    // A new session id on every sign-in (no fixation); the old one, if any, is dropped.
    sessions.delete(ctx.cookies.get(SESSION_COOKIE) ?? '');
    const sid = newId();
    sessions.set(sid, { sub: claims.sub, email: typeof claims.email === 'string' ? claims.email : undefined, tier: rank(acr) >= 0 ? (acr as Tier) : 't0', tokens });
    ctx.cookies.set(SESSION_COOKIE, sid, cookie);
    ctx.redirect(p.returnTo);
  });

  // The gated page. The tier is read live from the status API (an assurance can expire or be withdrawn after the
  // sign-in); below it, the person goes through the step-up sign-in.
  router.get('/verified', async (ctx) => {
    const s = sessionOf(ctx);
    if (!s) return ctx.redirect('/login?return=/verified');
    const status = await kyc.status.get(s.sub);
    if (status.kyc_status !== 'verified' || rank(status.kyc_tier) < rank(required)) return ctx.redirect(`/login?tier=${required}&return=/verified`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = page('Verified customers', `<p>Welcome. KYCPort says: ${esc(status.kyc_status)} at tier ${esc(status.kyc_tier)}${status.expires_at ? `, until ${esc(status.expires_at)}` : ''}.</p>`);
  });

  router.post('/logout', (ctx) => {
    sessions.delete(ctx.cookies.get(SESSION_COOKIE) ?? '');
    ctx.cookies.set(SESSION_COOKIE, null, cookie);
    ctx.redirect('/');
  });

  // Webhooks: the raw body is verified before anything reads it; a bad signature is a 400 and nothing happens.
  // KYCPort retries until it gets a 2xx, with the same webhook-id: deduplicate on it and answer fast.
  router.post('/webhooks/kycport', async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    let event: WebhookEvent;
    try {
      event = await verifyWebhook(Buffer.concat(chunks), ctx.headers, opts.webhookSecret);
    } catch (err) {
      if (!(err instanceof WebhookVerificationError)) throw err;
      ctx.status = 400;
      ctx.body = { error: 'invalid_signature' };
      return;
    }
    const id = ctx.get('webhook-id');
    if (!seenDeliveries.has(id)) {
      seenDeliveries.add(id);
      await opts.onEvent?.(event);
    }
    ctx.status = 204;
  });

  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
