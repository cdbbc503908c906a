// Sends requests under a path prefix through their own middleware chain, and only there: a tenant API call does
// not walk past the page, health and static routers (each router adds two async layers), and an unknown path
// under the prefix ends in the error handler's 404 instead of reaching the pages.
import type Koa from 'koa';
import type Router from '@koa/router';
import compose from 'koa-compose';

type Run = (ctx: Koa.ParameterizedContext, next: Koa.Next) => Promise<void>;

export function branch(prefix: string, chain: Koa.Middleware[]): Koa.Middleware {
  // A chain of one needs no composing (each koa-compose level is a bound dispatch and a promise per request).
  const run: Run = chain.length === 1 ? (chain[0] as Run) : compose(chain);
  const end = () => Promise.resolve();
  return (ctx, next) => (ctx.path.startsWith(prefix) ? run(ctx, end) : next());
}

/**
 * Each router's routes followed by its 405/501 answers for known paths with other methods, as one middleware that
 * runs only the router with the request's route: the others would each match the path, find nothing and pass it
 * on through two async layers. A path some router knows without the method goes through the whole chain (405,
 * OPTIONS); a path none knows goes straight on. A route found for a method the router implements runs without the
 * router's 405/501 layer, which leaves such a request alone (OPTIONS aside).
 */
export function routerChain(...routers: Router[]): Koa.Middleware[] {
  const pairs = routers.map((r) => [r.routes(), r.allowedMethods()] as Koa.Middleware[]);
  const routes = pairs.map(([r]) => r as Run);
  const own = pairs.map((pair): Run => compose(pair));
  const all: Run = compose(pairs.flat());
  const direct = (i: number, method: string) => method !== 'OPTIONS' && routers[i]!.methods.includes(method);
  return [
    (ctx, next) => {
      let known = false;
      for (let i = 0; i < routers.length; i++) {
        const m = routers[i]!.match(ctx.path, ctx.method);
        if (m.route) return direct(i, ctx.method) ? routes[i]!(ctx, next) : own[i]!(ctx, next);
        known ||= m.path.length > 0;
      }
      return known ? all(ctx, next) : next();
    },
  ];
}
