// Sends requests under a path prefix through their own middleware chain, and only there: a tenant API call does
// not walk past the page, health and static routers (each router adds two async layers), and an unknown path
// under the prefix ends in the error handler's 404 instead of reaching the pages.
import type Koa from 'koa';
import type Router from '@koa/router';
import compose from 'koa-compose';

export function branch(prefix: string, chain: Koa.Middleware[]): Koa.Middleware {
  const run = compose(chain);
  const end = () => Promise.resolve();
  return (ctx, next) => (ctx.path.startsWith(prefix) ? run(ctx, end) : next());
}

/** A router's routes followed by its 405/501 answers for known paths with other methods. */
export function routerChain(...routers: Router[]): Koa.Middleware[] {
  return routers.flatMap((r) => [r.routes() as Koa.Middleware, r.allowedMethods() as Koa.Middleware]);
}
