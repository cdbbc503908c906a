// Security headers on every response, pages and API alike.
import type Koa from 'koa';

export function securityHeaders(opts: { https: boolean }): Koa.Middleware {
  // Set before next(): the mounted provider writes its responses itself, after which headers are frozen.
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
    // No form-action: sign-in forms post to us, but oidc-provider's form_post/logout forms post to the RP.
    ctx.set(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    if (opts.https) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    await next();
  };
}
