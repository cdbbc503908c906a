// /llms.txt, /llms-full.txt and /docs/<name>.md: public, plain text, cacheable for a few minutes.
import Router from '@koa/router';
import type Koa from 'koa';
import { GUIDE_DOCS, guide } from './guide.js';

export function guideRoutes(publicUrl: string): Router {
  const router = new Router();
  const send = (ctx: Koa.Context, type: string, body: string) => {
    ctx.type = type;
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = body;
  };
  router.get('/llms.txt', (ctx) => send(ctx, 'text/plain; charset=utf-8', guide(publicUrl).llms));
  router.get('/llms-full.txt', (ctx) => send(ctx, 'text/plain; charset=utf-8', guide(publicUrl).full));
  // One route per document (not /docs/:name): the routers are dispatched by their routes (http/branch.ts), so a
  // parameter would take /docs/api and /docs/samples from the routers that serve them.
  for (const name of Object.keys(GUIDE_DOCS)) router.get(`/docs/${name}`, (ctx) => send(ctx, 'text/markdown; charset=utf-8', guide(publicUrl).docs.get(name)!));
  return router;
}
