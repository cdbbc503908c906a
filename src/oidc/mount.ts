// Hands protocol requests to oidc-provider: discovery at the root and under /api/oidc, and every /api/oidc
// endpoint, with or without a trailing slash.
import type Koa from 'koa';
import type Provider from 'oidc-provider';
import { OIDC_PREFIX } from './provider.js';

const DISCOVERY = '/.well-known/openid-configuration';

export function mountProvider(provider: Provider): Koa.Middleware {
  const callback = provider.callback();
  return async (ctx, next) => {
    let path = ctx.path;
    if (path === `${OIDC_PREFIX}${DISCOVERY}`) path = DISCOVERY;
    const ours = path.startsWith('/.well-known/') || path.startsWith(`${OIDC_PREFIX}/`);
    if (!ours) {
      await next();
      return;
    }
    if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '');
    ctx.req.url = path + (ctx.querystring ? `?${ctx.querystring}` : '');
    ctx.respond = false;
    await callback(ctx.req, ctx.res);
  };
}
