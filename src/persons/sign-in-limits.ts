// Sign-in limits: failed attempts are counted per client address and per account over one hour
// (RATE_LIMIT_LOGIN_PER_HOUR each); successes are not. A success takes its attempt back off the address's count
// and clears the account's. An account over its limit refuses addresses it was never signed in from, but only
// slows down (1 s, 2 s, 4 s … 30 s) an address that signed in to it before, so ten wrong passwords from ten
// addresses no longer lock the owner out at home. The address's own limit always applies, so that exemption
// gives an attacker sharing the owner's address no more than that address's tries.
// An attempt counts as a failure from the moment it starts (a burst of concurrent attempts is counted, not only
// the ones that finished) and is taken back when it succeeds or could not be checked. With two-step sign-in, the
// right password is neither (it is taken back, nothing is cleared or remembered): each code tried is an attempt
// of its own, and only the right code is a success. From a known address, the
// password check also goes ahead of the others in the argon2 queue (persons/password.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { Clock } from '../clock.js';
import { keyedHash } from '../crypto/hash.js';
import { addressKey } from '../http/client-ip.js';
import { RateLimitedError } from '../http/errors.js';
import type { CounterStore } from '../http/rate-limit.js';
import { knownAddressStore } from './known-addresses.js';
import { withPasswordPriority } from './password.js';

const WINDOW_SECONDS = 3600;
const MAX_BACKOFF_MS = 30_000;

export interface SignInAttempt {
  /** Runs the password check (ahead in the queue from a known address); if it throws, the attempt does not count. */
  check<T>(fn: () => Promise<T>): Promise<T>;
  /** The sign-in is complete: the attempt leaves the address's count, the account's failures clear, the address is remembered. */
  succeeded(): Promise<void>;
  /** The password was right but a code must follow: the attempt leaves both counts and clears nothing. */
  secondStepNeeded(): Promise<void>;
}

export interface SignInLimits {
  /** Before a password (or second-step code) check: 429 when the address or (for an unknown address) the account is over its failures. */
  begin(ip: string, email: string): Promise<SignInAttempt>;
}

export interface SignInLimitDeps {
  db: Knex;
  clock: Clock;
  counters: CounterStore;
  /** The instance secret's 'sign-in-address' subkey. */
  key: Buffer;
  perHour: number;
  knownAddressDays: number;
}

export function createSignInLimits(d: SignInLimitDeps): SignInLimits {
  const add = async (key: string, by: number) => (await d.counters.incr([{ key, by, windowSeconds: WINDOW_SECONDS }]))[0]!;
  const refused = (ttlMs: number) => new RateLimitedError(Math.max(1, Math.ceil(ttlMs / 1000)));

  return {
    async begin(ip, email) {
      const address = addressKey(ip);
      const account = email.trim().toLowerCase();
      const ipKey = `login:ip:${address}`;
      const accountKey = `login:acct:${account}`;
      const known = keyedHash(d.key, `${account}\n${address}`);

      // Looked up first: if the database is down, nothing has been counted yet.
      const isKnown = await knownAddressStore.has(d.db, known, d.clock.now());
      const byAddress = await add(ipKey, 1);
      if (byAddress.count > d.perHour) throw refused(byAddress.ttlMs);
      const byAccount = await add(accountKey, 1);
      const over = byAccount.count - d.perHour;
      if (over > 0) {
        if (!isKnown) {
          // Refused before any password check: not a failure of the account (it would only lengthen the owner's wait).
          await add(accountKey, -1);
          throw refused(byAccount.ttlMs);
        }
        await sleep(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (over - 1)));
      }
      const cancel = async () => {
        await add(ipKey, -1);
        await add(accountKey, -1);
      };
      return {
        async check(fn) {
          try {
            return await (isKnown ? withPasswordPriority(fn) : fn());
          } catch (err) {
            // Not checked (hashing busy, a store down): not a failure of this address or account.
            await cancel().catch(() => undefined);
            throw err;
          }
        },
        secondStepNeeded: cancel,
        async succeeded() {
          await add(ipKey, -1);
          await d.counters.reset(accountKey);
          await knownAddressStore.remember(d.db, known, new Date(d.clock.now().getTime() + d.knownAddressDays * 86_400_000));
        },
      };
    },
  };
}

/** Forgets addresses whose life ended (jobs.ts). */
export const pruneKnownAddresses = (db: Knex, now: Date): Promise<number> => knownAddressStore.prune(db, now);
