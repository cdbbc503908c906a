// Endpoint signing secrets in Standard Webhooks form. At rest they are sealed with the instance's
// webhook-secrets key (crypto/keys.ts), which the composition derives once and passes in as a SecretBox.
import crypto from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

/** `whsec_` + base64 of 32 random bytes; the bytes are the HMAC key. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(SECRET_BYTES).toString('base64');
}

export function secretKeyBytes(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('not a whsec_ secret');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}
