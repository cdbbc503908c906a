// Prefixed, random, URL-safe identifiers (type is visible in logs and support tickets).
import crypto from 'node:crypto';

export function newId(prefix: string, bytes = 12): string {
  return `${prefix}_${crypto.randomBytes(bytes).toString('base64url')}`;
}

export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/** SHA-256 for high-entropy secrets (API keys, client secrets): fast, and brute force is hopeless anyway. */
export function hashSecret(secret: string): string {
  return `sha256$${crypto.createHash('sha256').update(secret).digest('base64url')}`;
}

export function verifySecret(secret: string, stored: string): boolean {
  const a = Buffer.from(hashSecret(secret));
  const b = Buffer.from(stored);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
