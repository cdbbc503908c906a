// Issue 11 size budget: the hosted flow's own JS + CSS (built client + the pages' stylesheets) ≤ 150 KB gzipped.
// Builds the bundle the way `npm run build:client` does, then measures every file the budget covers.
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUDGET_BYTES, buildClient, clientAssetSizes } from '../../scripts/build-client.js';

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
});
