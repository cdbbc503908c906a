// What carries a sign-in from the right password to the code step: a signed note (account, end of life) bound to
// the interaction's form token, itself an HMAC of the browser's CSRF cookie and the interaction uid (csrf.ts). So
// only the browser that passed the password step, in this interaction, can post codes for that account; the note
// holds no secret, and every code tried with it is counted by the sign-in limits.
import crypto from 'node:crypto';
import { keyedHash } from '../../crypto/hash.js';

export const SECOND_STEP_TTL_MS = 10 * 60_000;

const NOTE = /^([\w-]+)\.(\d+)\.([\w-]{43})$/;

export function secondStepNotes(key: Buffer) {
  const mac = (formToken: string, accountId: string, expires: number) =>
    keyedHash(key, `${formToken}\n${accountId}\n${expires}`);
  return {
    issue(formToken: string, accountId: string, now: Date): string {
      const expires = now.getTime() + SECOND_STEP_TTL_MS;
      return `${accountId}.${expires}.${mac(formToken, accountId, expires)}`;
    },
    /** The account the note was issued for, or undefined (forged, another interaction or browser, expired). */
    open(formToken: string, note: unknown, now: Date): string | undefined {
      const m = typeof note === 'string' ? NOTE.exec(note) : null;
      if (!m) return undefined;
      const [, accountId = '', expiresText = '', given = ''] = m;
      const expires = Number(expiresText);
      const expected = Buffer.from(mac(formToken, accountId, expires));
      if (!crypto.timingSafeEqual(expected, Buffer.from(given)) || expires <= now.getTime()) return undefined;
      return accountId;
    },
  };
}
