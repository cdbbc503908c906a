// Purpose-bound keys. Every key the instance uses is HKDF-SHA256 of the one instance secret with its own purpose
// label, so one leaked subkey exposes nothing else. The salt and labels are part of the stored-data format.
import crypto from 'node:crypto';

const SALT = 'kycport';

export function deriveKey(secret: string, purpose: string, length = 32): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', secret, SALT, purpose, length));
}

/** A configured 256-bit key: 64 hex characters or base64 of 32 bytes. `name` is for the error message. */
export function parseKey(text: string, name: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new Error(`${name} must be 32 bytes (64 hex characters or base64).`);
  return key;
}
