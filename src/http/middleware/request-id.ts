// A request id for correlating logs; echoed back so users can quote it. A caller's own id is kept.
// Ids are a random per-process prefix plus a counter: unique without drawing from the CSPRNG on every request
// (a CSPRNG draw per request was a visible share of a status lookup: bench/RESULTS.md, Notes). Not secrets.
import crypto from 'node:crypto';
import type Koa from 'koa';

const prefix = crypto.randomBytes(6).toString('base64url');
let counter = 0;

export function nextRequestId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}-${counter.toString(36)}`;
}

export function requestId(): Koa.Middleware {
  return (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const id = incoming && /^[\w-]{8,64}$/.test(incoming) ? incoming : nextRequestId();
    ctx.state.requestId = id;
    ctx.res.setHeader('X-Request-Id', id);
    return next();
  };
}
