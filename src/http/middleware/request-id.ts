// A request id for correlating logs; echoed back so users can quote it. A caller's own id is kept.
import crypto from 'node:crypto';
import type Koa from 'koa';

export function requestId(): Koa.Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const id = /^[\w-]{8,64}$/.test(incoming) ? incoming : crypto.randomBytes(9).toString('base64url');
    ctx.state.requestId = id;
    ctx.res.setHeader('X-Request-Id', id);
    await next();
  };
}
