// Real dependencies for tests: a fresh database (PGlite in memory, or a new Postgres database when DATABASE_URL
// is set), Redis with a private key prefix when REDIS_URL is set, and a clock the test controls if it wants.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { createAuditService, type AuditService } from '../../src/audit/service.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { webhookSecretsKey } from '../../src/crypto/keys.js';
import { secretBox, type SecretBox } from '../../src/crypto/seal.js';
import { redisReady } from '../../src/db/redis.js';
import { openInfra, type Infra } from '../../src/infra.js';

export interface TestDeps extends Infra {
  /** The test database's own URL (config.databaseUrl may go through a proxy). */
  directDatabaseUrl: string | undefined;
  /** Seals webhook signing secrets, derived from SECRET_KEY as the server derives it at start-up. */
  webhookSecrets: SecretBox;
  /** The audit trail over this database, for calling domain functions that write entries. */
  audit: AuditService;
  cleanup(): Promise<void>;
}

/** Who a test's direct domain call acts as, in audit entries. */
export const TEST_ACTOR = { type: 'system', id: 'test' } as const;

/** True when the suite runs against real Postgres + Redis (the second CI pass). */
export const onRealServices = Boolean(process.env.DATABASE_URL);

export interface TestDepsOptions {
  clock?: Clock;
  env?: Record<string, string>;
  /** Routes the server's connections (not the test's own set-up) through a proxy: outage tests cut it. */
  via?: { database?: (url: string) => string; redis?: (url: string) => string };
  /** A second instance of `sharing`'s deployment: its database, Redis prefix, secrets and keys (cleaned up by it). */
  sharing?: TestDeps;
}

export async function createTestDeps(opts: TestDepsOptions = {}): Promise<TestDeps> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-test-'));
  const keysDir = path.join(dataDir, 'keys');
  let databaseUrl = process.env.DATABASE_URL;
  let dropDatabase: (() => Promise<void>) | undefined;
  const shared = opts.sharing;
  if (shared) {
    databaseUrl = shared.directDatabaseUrl;
  } else if (databaseUrl) {
    const name = `kp_t_${crypto.randomBytes(6).toString('hex')}`;
    const admin = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 1 } });
    await admin.raw(`create database ${name}`);
    const u = new URL(databaseUrl);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    dropDatabase = async () => {
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    };
  }
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    KEYS_DIR: keysDir,
    ...(databaseUrl ? { DATABASE_URL: opts.via?.database ? opts.via.database(databaseUrl) : databaseUrl } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: opts.via?.redis ? opts.via.redis(process.env.REDIS_URL) : process.env.REDIS_URL } : {}),
    REDIS_PREFIX: shared?.config.redisPrefix ?? `kpt:${crypto.randomBytes(4).toString('hex')}:`,
    SECRET_KEY: shared?.config.secretKey ?? crypto.randomBytes(32).toString('base64url'),
    DOCUMENT_ENCRYPTION_KEY: shared?.config.documentEncryptionKey ?? crypto.randomBytes(32).toString('hex'),
    ...(shared ? { KEYS_DIR: shared.config.keysDir } : {}),
    // The engine budget as before it was configurable: CI machines run many test files at once.
    VERIFICATION_TASK_TIMEOUT_MS: '120000',
    ...opts.env,
  });
  const infra = await openInfra(config, { inMemory: true, clock: opts.clock });
  const { redis } = infra;
  return {
    ...infra,
    directDatabaseUrl: databaseUrl,
    webhookSecrets: secretBox(webhookSecretsKey(config.secretKey!)),
    audit: createAuditService({ db: infra.db.knex, clock: infra.clock }),
    async cleanup() {
      if (redis && !shared) {
        await redisReady(redis, 10_000); // an outage test may have just restored it
        const keys = await redis.keys(`${config.redisPrefix}*`);
        if (keys.length) await redis.del(...keys);
      }
      await infra.close();
      await dropDatabase?.();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
