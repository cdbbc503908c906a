// Issue 11 size budget: the hosted flow's own JS + CSS (built client + the pages' stylesheets) ≤ 150 KB gzipped.
// Builds the bundle the way `npm run build:client` does, then measures every file the budget covers.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUDGET_BYTES, buildClient, clientAssetSizes } from '../../scripts/build-client.js';
import { staticRoutes } from '../../src/http/static.js';

describe('hosted flow client bundle', () => {
  let sizes: ReturnType<typeof clientAssetSizes>;
  beforeAll(async () => {
    await buildClient();
    sizes = clientAssetSizes();
  });

  it('is built, minified, and within the gzipped budget', () => {
    const names = sizes.map((s) => s.file);
    expect(names).toEqual(expect.arrayContaining(['public/hosted/verify.js', 'public/hosted/verify.css', 'public/styles.css']));
    const js = sizes.find((s) => s.file === 'public/hosted/verify.js')!;
    expect(js.bytes).toBeGreaterThan(1000);
    // Minified: no source comments survive (they would be budget spent on nothing).
    expect(fs.readFileSync(js.file, 'utf8')).not.toMatch(/\/\/ |\/\*/);
    const total = sizes.reduce((n, s) => n + s.gzip, 0);
    console.log(`hosted flow JS + CSS: ${total} B gzipped of ${BUDGET_BYTES} B (${sizes.map((s) => `${s.file} ${s.gzip}`).join(', ')})`);
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('is served at /assets/hosted/ with its type, a short cache and an ETag (304 on revalidation); other names 404', async () => {
    const app = new Koa();
    app.use(staticRoutes().routes());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/assets/hosted/`;
    try {
      const res = await fetch(`${base}verify.js`);
      expect([res.status, res.headers.get('content-type'), res.headers.get('cache-control')]).toEqual([200, 'text/javascript; charset=utf-8', 'public, max-age=300']);
      expect(Buffer.from(await res.arrayBuffer()).equals(fs.readFileSync('public/hosted/verify.js'))).toBe(true);
      // A browser's revalidation (fetch() alone would add Cache-Control: no-cache to a conditional request).
      const again = await fetch(`${base}verify.js`, { headers: { 'if-none-match': res.headers.get('etag')!, 'cache-control': 'max-age=0' } });
      expect(again.status).toBe(304);
      expect((await fetch(`${base}verify.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
      for (const name of ['missing.js', '..%2Fstyles.css', 'verify.ts']) expect((await fetch(base + name)).status, name).toBe(404);
    } finally {
      server.close();
    }
  });
});
