// Static assets for the hosted pages (public/). Small set, read once at start.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Router, { type RouterMiddleware } from '@koa/router';
import { packageRoot as root } from '../paths.js';
const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.js': 'text/javascript; charset=utf-8' };

/** A file read into memory at start. */
export type MemoryFile = { body: Buffer; type: string };

/** GET handler for `/…/:name` answering from `files` (anything else falls through to a 404). */
export function serveFiles(files: ReadonlyMap<string, MemoryFile>): RouterMiddleware {
  return (ctx) => {
    const file = files.get(ctx.params.name ?? '');
    if (!file) return;
    ctx.type = file.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = file.body;
  };
}

export function staticRoutes(): Router {
  const router = new Router();
  const publicDir = path.join(root, 'public');
  const files = new Map<string, MemoryFile>();
  for (const name of fs.existsSync(publicDir) ? fs.readdirSync(publicDir) : []) {
    const type = TYPES[path.extname(name)];
    if (type) files.set(name, { body: fs.readFileSync(path.join(publicDir, name)), type });
  }
  router.get('/static/:name', serveFiles(files));
  const hosted = hostedAssets();
  router.get('/assets/hosted/:name', (ctx) => {
    const file = hosted(ctx.params.name ?? '');
    if (!file) return;
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.etag = file.etag;
    ctx.type = file.type;
    ctx.status = 200; // ctx.fresh only compares validators on a 2xx.
    if (ctx.fresh) ctx.status = 304;
    else ctx.body = file.body;
  });
  return router;
}

/**
 * The hosted flow's built client (public/hosted/, written by `npm run build:client`). The pages name it by a fixed
 * URL (/assets/hosted/verify.js), so no content hash in the name: a short max-age plus an ETag keeps a deploy
 * visible within minutes and repeat visits at a 304. Read on first request, so a build after start is picked up;
 * missing (never built) it is a 404 and the pages still work through their plain forms.
 */
function hostedAssets(): (name: string) => { body: Buffer; type: string; etag: string } | undefined {
  const dir = path.join(root, 'public', 'hosted');
  const cache = new Map<string, { body: Buffer; type: string; etag: string }>();
  return (name) => {
    const type = TYPES[path.extname(name)];
    if (!type || !/^[\w.-]+$/.test(name)) return undefined;
    const full = path.join(dir, name);
    if (!cache.has(name) && fs.existsSync(full)) {
      const body = fs.readFileSync(full);
      cache.set(name, { body, type, etag: `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
    }
    return cache.get(name);
  };
}
