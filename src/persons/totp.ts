// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP: HMAC-SHA-1, 6 digits, 30 s steps) and the base32
// text of their secrets (RFC 4648), with node:crypto only. Pure functions: the clock and the replay state are the
// caller's (persons/two-step.ts).
import crypto from 'node:crypto';

export const STEP_SECONDS = 30;
export const DIGITS = 6;
/** Steps either side of now a code may come from: the phone's clock and ours drift apart. */
export const DRIFT_STEPS = 1;
/** 160 bits, the HMAC-SHA-1 key length RFC 4226 recommends. */
export const SECRET_BYTES = 20;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array, opts: { pad?: boolean } = {}): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return opts.pad === false ? out : out.padEnd(Math.ceil(out.length / 8) * 8, '=');
}

/** Case, spaces and padding are ignored (people type secrets in groups); any other character throws. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Error('not base32');
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226 HOTP: the dynamically truncated HMAC of the 8-byte counter, as `digits` decimal digits. */
export function hotp(secret: Buffer, counter: number, digits = DIGITS, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac(algorithm, secret).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 T: whole steps since the Unix epoch. */
export const timeStep = (at: Date): number => Math.floor(at.getTime() / 1000 / STEP_SECONDS);

export const totp = (secret: Buffer, at: Date, digits = DIGITS, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string =>
  hotp(secret, timeStep(at), digits, algorithm);

/**
 * The time step `code` belongs to, within the drift window around `at` and later than `after` (the step last
 * accepted for the account: a code is good once), or undefined. Every candidate is compared in constant time.
 */
export function matchStep(secret: Buffer, code: string, at: Date, after = -1): number | undefined {
  if (!new RegExp(`^\\d{${DIGITS}}$`).test(code)) return undefined;
  const given = Buffer.from(code);
  const now = timeStep(at);
  let found: number | undefined;
  for (let step = now - DRIFT_STEPS; step <= now + DRIFT_STEPS; step++) {
    const same = crypto.timingSafeEqual(Buffer.from(hotp(secret, step)), given);
    if (same && step > after && found === undefined) found = step;
  }
  return found;
}

export const newSecret = (): Buffer => crypto.randomBytes(SECRET_BYTES);

/** The Key URI authenticator apps read from the QR code: label "issuer:account", SHA-1, 6 digits, 30 s. */
export function otpauthUri(secret: Buffer, issuer: string, account: string): string {
  const params = new URLSearchParams({ secret: base32Encode(secret, { pad: false }), issuer, algorithm: 'SHA1', digits: String(DIGITS), period: String(STEP_SECONDS) });
  return `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(account)}?${params.toString()}`;
}

/** The secret as people type it: base32 in groups of four. */
export const groupedSecret = (secret: Buffer): string => base32Encode(secret, { pad: false }).replace(/(.{4})(?=.)/g, '$1 ');
