// Security headers on every response. HTML pages get the full browser set; JSON API responses get what the
// OWASP REST guidance asks for (a shorter set: every response pays for its header bytes on the hot path).
import type Koa from 'koa';

const PAGE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'";
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

export function securityHeaders(opts: { https: boolean }): Koa.Middleware {
  // Set before next(): the mounted provider writes its responses itself, after which headers are frozen.
  return (ctx, next) => {
    const res = ctx.res;
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    if (ctx.path.startsWith('/api/v1/')) {
      res.setHeader('Content-Security-Policy', API_CSP);
    } else {
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
      // No form-action: sign-in forms post to us, but oidc-provider's form_post/logout forms post to the RP.
      res.setHeader('Content-Security-Policy', PAGE_CSP);
    }
    if (opts.https) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    return next();
  };
}
