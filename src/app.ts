// Builds the Koa app: middleware order, routers (each handed only its service and the auth it needs), the
// mounted provider.
import type Router from '@koa/router';
import Koa from 'koa';
import type { Services } from './compose.js';
import type { Infra } from './infra.js';
import { errorHandler } from './http/middleware/errors.js';
import { clientIp } from './http/client-ip.js';
import { requestId } from './http/middleware/request-id.js';
import { securityHeaders } from './http/middleware/security-headers.js';
import { ipRateLimit } from './http/middleware/ip-rate-limit.js';
import { branch, routerChain } from './http/branch.js';
import { setResponseChecks } from './http/contract.js';
import { healthRoutes } from './http/health.js';
import { staticRoutes } from './http/static.js';
import { guideRoutes } from './docs/routes.js';
import { samplesRoutes } from './docs/samples.js';
import { openApiRoutes } from './http/openapi.js';
import { apiDocsRoutes } from './docs/api-reference.js';
import { packageVersion } from './paths.js';
import { mountProvider } from './oidc/mount.js';
import { userinfoRoutes } from './oidc/userinfo.js';
import { interactionRoutes } from './oidc/interactions/routes.js';
import type { KeyMaterial } from './oidc/keys.js';
import { personRoutes } from './persons/routes.js';
import { assuranceRoutes } from './assurance/routes.js';
import { webhookRoutes } from './webhooks/routes.js';
import { verificationRoutes } from './verification/cases/routes.js';
import { sessionRoutes } from './verification/sessions/routes.js';
import { hostedRoutes } from './hosted/routes.js';
import { getBranding, getLogo } from './tenants/branding.js';
import { ensureConsoleClient, ensureHostedClient } from './tenants/hosted-client.js';
import { consoleRoutes } from './console/routes.js';
import { currentLogin } from './oidc/revoke.js';
import { deriveKey } from './crypto/derive.js';
import { interactionPerson } from './oidc/step-up.js';
import { mcpRoutes } from './mcp/http.js';

/** The tenant API (API key; rate limits counted with the key in requireApiKey), one router per domain. */
export function tenantApi(services: Services): Router[] {
  const auth = services.requireApiKey;
  return [assuranceRoutes(services.assurance, auth, services.lookups), webhookRoutes(services.webhooks, auth), verificationRoutes(services.cases, auth), sessionRoutes(services.sessions, auth)];
}

export function buildApp(infra: Infra, keys: KeyMaterial, services: Services): Koa {
  const { config } = infra;
  // Before any router is built: each decides once whether its responses are checked.
  setResponseChecks(config.checkResponses);
  const https = config.publicUrl.startsWith('https://');
  // proxy: X-Forwarded-Proto/Host are read behind a proxy; the client address is resolved by clientIp alone.
  const koa = new Koa({ proxy: config.trustProxy.kind !== 'none' });
  const { provider } = services.oidc;
  const auth = services.requireApiKey;

  koa.use(clientIp(config.trustProxy));
  koa.use(requestId());
  koa.use(securityHeaders({ https }));
  koa.use(errorHandler());

  const api = tenantApi(services);
  // The document describes exactly the routers mounted here; it goes last so a status lookup never tries it.
  const reference = openApiRoutes(api, { publicUrl: config.publicUrl, version: packageVersion });
  koa.use(branch('/api/v1/', routerChain(...api, reference.router)));
  // MCP for AI assistants at /mcp: the same key check, limits and services as the tenant API (mcp/http.ts).
  koa.use(mcpRoutes({ services, publicUrl: config.publicUrl, requireApiKey: auth }));

  for (const mw of routerChain(healthRoutes({ db: infra.db.knex, redis: infra.redis }), staticRoutes(), guideRoutes(config.publicUrl), apiDocsRoutes(reference.documents), samplesRoutes())) koa.use(mw);
  koa.use(ipRateLimit(infra.apiLimiter, config.rateLimit.ipPerMinute));

  // Browser-facing pages and the OIDC surface.
  const { csrfKey, stepKey } = services;
  const db = infra.db.knex;
  const pages = [
    interactionRoutes({
      provider,
      persons: services.persons,
      tenants: services.tenants,
      claims: services.assurance.claims,
      limiter: infra.limiter,
      signInLimits: services.signInLimits,
      loginPerHour: config.rateLimit.loginPerHour,
      mailPerAddressPerHour: config.mail.perAddressPerHour,
      csrfKey,
      stepKey,
      clock: infra.clock,
      secureCookies: https,
    }),
    personRoutes({
      persons: services.persons,
      account: services.privacy,
      currentSession: services.oidc.currentSession,
      limiter: infra.limiter,
      attemptsPerHour: config.rateLimit.loginPerHour,
      csrfKey,
    }),
    hostedRoutes({
      sessions: services.sessions,
      cases: services.cases,
      currentSession: services.oidc.currentSession,
      branding: (tenantId) => getBranding(db, tenantId),
      logo: (tenantId) => getLogo(db, tenantId),
      signInClient: (tenantId, redirectUri) => ensureHostedClient(db, tenantId, redirectUri),
      interaction: interactionPerson(provider),
      publicUrl: config.publicUrl,
      csrfKey,
      secureCookies: https,
    }),
    consoleRoutes({
      review: services.review,
      staff: services.staff,
      persons: services.persons,
      currentLogin: currentLogin(provider),
      signInClient: (redirectUri) => ensureConsoleClient(db, redirectUri),
      publicUrl: config.publicUrl,
      sessionKey: deriveKey(keys.secret, 'console-session'),
      csrfKey,
      idleMinutes: config.consoleIdleMinutes,
      secureCookies: https,
      now: () => infra.clock.now(),
      audit: services.audit,
      tenantPages: { db, config, clock: infra.clock, audit: services.audit, webhooks: services.webhooks, cases: services.cases, sessions: services.sessions },
      operator: { db: infra.db, clock: infra.clock, audit: services.audit, staff: services.staff },
    }),
    userinfoRoutes({ provider, keys, issuer: config.issuer, trustFramework: config.trustFramework, clock: infra.clock, claims: services.assurance.claims, findSubject: services.persons.findSubject }),
  ];
  for (const mw of routerChain(...pages)) koa.use(mw);
  koa.use(mountProvider(provider));

  return koa;
}
