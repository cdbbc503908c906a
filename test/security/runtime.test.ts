// Issue 10, item 17: the runtime is a supported LTS. Node 20 reached end of life in April 2026 and oidc-provider 9
// warned "Unsupported runtime" on every start; `npm test` / `npm start` now run on the Node 24 that `npm ci` puts in
// node_modules/.bin (the `node` devDependency), whatever Node the machine ships.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('runtime', () => {
  it('runs the tests on Node 24 or later, the version package.json requires', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string }; devDependencies: Record<string, string> };
    expect(pkg.engines.node).toBe('>=24.11');
    expect(pkg.devDependencies.node).toMatch(/^\^24\./);
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });

  it('loads oidc-provider without its unsupported-runtime warning', async () => {
    const { stdout, stderr } = await run(process.execPath, ['-e', "await import('oidc-provider'); console.log(process.version)", '--input-type=module']);
    expect(stdout.trim()).toBe(process.version);
    expect(stderr).not.toMatch(/Unsupported runtime/);
  });
});
