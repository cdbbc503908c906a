// /llms.txt, /llms-full.txt and /docs/<name>.md: public, plain text, cacheable for a few minutes.
import Router from '@koa/router';
import type Koa from 'koa';
import { guide } from './guide.js';

export function guideRoutes(publicUrl: string): Router {
  const router = new Router();
  const send = (ctx: Koa.Context, type: string, body: string) => {
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = body;
  };
  router.get('/llms.txt', (ctx) => send(ctx, 'text/plain; charset=utf-8', guide(publicUrl).llms));
  router.get('/llms-full.txt', (ctx) => send(ctx, 'text/plain; charset=utf-8', guide(publicUrl).full));
  router.get('/docs/:name', (ctx, next) => {
    const text = guide(publicUrl).docs.get(ctx.params.name ?? '');
    if (text === undefined) return next();
    send(ctx, 'text/markdown; charset=utf-8', text);
  });
  return router;
}
