// Builds the Koa app: middleware order, routers, the mounted provider.
import Koa from 'koa';
import type { Deps } from './deps.js';
import { errorHandler } from './http/middleware/errors.js';
import { requestId } from './http/middleware/request-id.js';
import { securityHeaders } from './http/middleware/security-headers.js';
import { ipRateLimit } from './http/middleware/ip-rate-limit.js';
import { branch, routerChain } from './http/branch.js';
import { setResponseChecks } from './http/contract.js';
import { healthRoutes } from './http/health.js';
import { staticRoutes } from './http/static.js';
import { createProvider, type OidcProvider } from './oidc/provider.js';
import { mountProvider } from './oidc/mount.js';
import { userinfoRoutes } from './oidc/userinfo.js';
import { interactionRoutes } from './oidc/interactions/routes.js';
import type { KeyMaterial } from './oidc/keys.js';
import { personRoutes } from './persons/routes.js';
import { mailerFor, type Mailer } from './persons/mailer.js';
import { assuranceRoutes } from './assurance/routes.js';
import { webhookRoutes } from './webhooks/routes.js';
import { verificationRoutes } from './verification/cases/routes.js';
import { createVerificationRuntime, type VerificationRuntime } from './verification/runtime.js';

export interface App {
  koa: Koa;
  oidc: OidcProvider;
  /** Verification engines, indexes and upload store; the caller closes it (main, or a test's afterAll). */
  verification: VerificationRuntime;
}

export function buildApp(deps: Deps, keys: KeyMaterial, opts: { mailer?: Mailer; verification?: VerificationRuntime } = {}): App {
  // Before any router is built: each decides once whether its responses are checked.
  setResponseChecks(deps.config.checkResponses);
  const koa = new Koa({ proxy: deps.config.trustProxy });
  const oidc = createProvider(deps, keys);
  const mailer = opts.mailer ?? mailerFor(deps.config);
  // Workers start on first use, so building an app that never verifies costs nothing.
  const verification = opts.verification ?? createVerificationRuntime(deps, { secret: keys.secret });

  koa.use(requestId());
  koa.use(securityHeaders({ https: deps.config.publicUrl.startsWith('https://') }));
  koa.use(errorHandler());

  // Tenant API (API key; rate limits counted with the key in requireApiKey), one router per domain.
  koa.use(branch('/api/v1/', routerChain(assuranceRoutes(deps), webhookRoutes(deps), verificationRoutes(deps, verification))));

  for (const mw of routerChain(healthRoutes(deps), staticRoutes())) koa.use(mw);
  koa.use(ipRateLimit(deps));

  // Browser-facing pages and the OIDC surface.
  const pages = [
    interactionRoutes({ deps, provider: oidc.provider, secret: keys.secret, mailer, pairwise: oidc.pairwise }),
    personRoutes(deps, keys.secret),
    userinfoRoutes(deps, oidc.provider, keys),
  ];
  for (const mw of routerChain(...pages)) koa.use(mw);
  koa.use(mountProvider(oidc.provider));

  return { koa, oidc, verification };
}
