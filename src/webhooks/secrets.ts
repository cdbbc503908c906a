// Endpoint signing secrets: generated in Standard Webhooks form and kept encrypted at rest (AES-256-GCM).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';

export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
const VERSION = 'v1';

/** `whsec_` + base64 of 32 random bytes; the bytes are the HMAC key. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(SECRET_BYTES).toString('base64');
}

export function secretKeyBytes(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('not a whsec_ secret');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/** The instance secret: SECRET_KEY, else the file the server generates in KEYS_DIR outside production. */
function instanceSecret(config: Pick<Config, 'secretKey' | 'keysDir'>): string {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.keysDir, 'secret.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  throw new Error('SECRET_KEY is not set and KEYS_DIR has no secret.key: webhook secrets cannot be encrypted');
}

export interface SecretBox {
  seal(plaintext: string, boundTo: string): string;
  open(sealed: string, boundTo: string): string;
}

/** `boundTo` (the endpoint id) is authenticated data, so a ciphertext copied to another row won't decrypt. */
export function secretBox(config: Pick<Config, 'secretKey' | 'keysDir'>): SecretBox {
  const key = Buffer.from(crypto.hkdfSync('sha256', instanceSecret(config), 'kycport', 'webhook-secrets', 32));
  return {
    seal(plaintext, boundTo) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(boundTo));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url')}`;
    },
    open(sealed, boundTo) {
      const [version, body] = sealed.split(':');
      if (version !== VERSION || !body) throw new Error('unknown webhook secret format');
      const raw = Buffer.from(body, 'base64url');
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
