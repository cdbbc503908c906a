// One-time links sent by email: 32 random bytes in the link, only their keyed hash in the database.
// A link is single-use (consumed in one UPDATE … WHERE used_at IS NULL) and expires; opening it (GET) never
// consumes it, so mail scanners that prefetch links do not burn it.
import crypto from 'node:crypto';
import { keyedHash } from '../crypto/hash.js';
import type { Queryable } from '../db/index.js';
import { emailTokenStore, type EmailTokenRow, type TokenPurpose } from './store.js';

/** Sign-up links live as long as the old verification links did; pending sign-ups are purged after it. */
export const SIGNUP_TTL_MS = 48 * 3600 * 1000;
export const RESET_TTL_MS = 3600 * 1000;

export const TOKEN_TTL: Record<TokenPurpose, number> = { signup: SIGNUP_TTL_MS, reset: RESET_TTL_MS };

const TOKEN_SHAPE = /^[\w-]{43}$/;

export function emailTokens(key: Buffer) {
  const hashOf = (token: string) => keyedHash(key, token);
  return {
    /** Stores a new link for `email` and returns the token to put in the mail. */
    async issue(db: Queryable, t: { purpose: TokenPurpose; email: string; personId?: string; now: Date }): Promise<string> {
      const token = crypto.randomBytes(32).toString('base64url');
      await emailTokenStore.insert(db, {
        token_hash: hashOf(token),
        purpose: t.purpose,
        email: t.email,
        person_id: t.personId ?? null,
        expires_at: new Date(t.now.getTime() + TOKEN_TTL[t.purpose]),
      });
      return token;
    },
    /** The live link's row without using it (to show the form it leads to), or undefined. */
    peek(db: Queryable, purpose: TokenPurpose, token: string, now: Date): Promise<EmailTokenRow | undefined> {
      if (!TOKEN_SHAPE.test(token)) return Promise.resolve(undefined);
      return emailTokenStore.findLive(db, hashOf(token), purpose, now);
    },
    /** Marks the link used and returns its row; undefined when it is unknown, expired or already used. */
    consume(db: Queryable, purpose: TokenPurpose, token: string, now: Date): Promise<EmailTokenRow | undefined> {
      if (!TOKEN_SHAPE.test(token)) return Promise.resolve(undefined);
      return emailTokenStore.consume(db, hashOf(token), purpose, now);
    },
  };
}

export type EmailTokens = ReturnType<typeof emailTokens>;
