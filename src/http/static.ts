// Static assets for the hosted pages (public/) and llms.txt. Small set, read once at start.
import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import { packageRoot as root } from '../paths.js';
const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.js': 'text/javascript; charset=utf-8' };

export function staticRoutes(): Router {
  const router = new Router();
  const publicDir = path.join(root, 'public');
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of fs.existsSync(publicDir) ? fs.readdirSync(publicDir) : []) {
    const type = TYPES[path.extname(name)];
    if (type) files.set(name, { body: fs.readFileSync(path.join(publicDir, name)), type });
  }
  router.get('/static/:name', (ctx) => {
    const file = files.get(ctx.params.name ?? '');
    if (!file) return;
    ctx.type = file.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = file.body;
  });
  const llms = path.join(root, 'llms.txt');
  router.get('/llms.txt', (ctx) => {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = fs.readFileSync(llms);
  });
  return router;
}
