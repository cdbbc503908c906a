// Keyed hashes: stable identifiers and fingerprints that can't be computed (or reversed) without the key.
import crypto from 'node:crypto';
import { secretKey } from './secret-key.js';

/** HMAC-SHA256, base64url. */
export const keyedHash = (key: Buffer, data: string): string => crypto.createHmac('sha256', secretKey(key)).update(data).digest('base64url');

/** Same document ⇔ same fingerprint; the raw number never needs to be stored to compare. */
export function documentFingerprint(key: Buffer, doc: { type: string; issuingState: string; number: string }): string {
  const canonical = [doc.type, doc.issuingState, doc.number].map((s) => s.toUpperCase().replace(/[^A-Z0-9]/g, '')).join('|');
  return `docfp1_${keyedHash(key, canonical)}`;
}

/** Constant-time equality of two secrets or tokens (strings of any length). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
