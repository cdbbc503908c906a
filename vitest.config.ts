import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The example relying party imports the SDK by its package name: tests run it from source (no build step).
  resolve: { alias: { '@kycport/sdk': fileURLToPath(new URL('./packages/sdk/src/index.ts', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    // The hosted pages' client bundle (public/hosted/, gitignored) is built before any test file starts.
    globalSetup: ['test/support/client-bundle.ts'],
    // Every /api/v1 response a test receives is checked against the server's own OpenAPI document.
    setupFiles: ['test/support/openapi-contract.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Real databases and model loading: a few files at a time on a 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    env: { NODE_ENV: 'test' },
  },
});
