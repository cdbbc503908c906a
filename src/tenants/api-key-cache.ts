// API keys are checked on every API request; a short in-process cache keeps the database off that path.
// A trigger NOTIFYs on revocation, so every process forgets a revoked key as soon as the revocation commits;
// while that channel is not provably live the cache is bypassed (db/cache.ts), so a revocation takes effect
// within a second in every process, outage or not.
import { InvalidatingCache } from '../db/cache.js';
import type { Invalidations } from '../db/invalidations.js';
import type { Queryable } from '../db/index.js';
import { hashSecret } from '../ids.js';
import { authenticateApiKey } from './service.js';
import type { ApiKeyRow } from './store.js';

export class ApiKeyCache {
  private readonly cache: InvalidatingCache<ApiKeyRow>;

  constructor(private readonly db: Queryable, invalidations: Invalidations) {
    this.cache = new InvalidatingCache(invalidations, 'apikey', 30_000);
  }

  /**
   * The key's row, or undefined for an unknown/revoked key; a cached key answers synchronously.
   * Only valid keys are cached: a new key works the moment it is created. Entries are found by the presented key
   * itself, so a warm call hashes nothing (the SHA-256 was a twentieth of a status lookup), and are tagged with
   * the key's hash, which is what a revocation names. Like the request that carried it, the key stays in this
   * process's memory only; nothing else stores or logs it.
   */
  authenticate(presented: string): ApiKeyRow | Promise<ApiKeyRow | undefined> {
    return this.cache.peek(presented) ?? this.cache.load(presented, async () => {
      const hash = hashSecret(presented);
      const row = await authenticateApiKey(this.db, presented);
      return row && { value: row, tag: hash };
    });
  }
}
