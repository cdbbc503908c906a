// In CI's second pass the real services are required: a missing Postgres or Redis fails, never skips.
import { describe, expect, it } from 'vitest';
import { createTestDeps } from '../support/deps.js';

describe.runIf(process.env.KYCPORT_REQUIRE_SERVICES === '1')('required services', () => {
  it('runs on real Postgres and Redis', async () => {
    expect(process.env.DATABASE_URL).toBeTruthy();
    expect(process.env.REDIS_URL).toBeTruthy();
    const deps = await createTestDeps();
    try {
      expect(deps.db.kind).toBe('postgres');
      expect(await deps.redis!.ping()).toBe('PONG');
    } finally {
      await deps.cleanup();
    }
  });
});
