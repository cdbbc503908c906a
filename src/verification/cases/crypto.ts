// Keys for data at rest: the AES-256-GCM key for uploads and sealed extraction, and the HMAC key for document
// fingerprints. Both come from config or are derived from the instance secret for one purpose each.
import crypto from 'node:crypto';
import type { Config } from '../../config.js';
import { deriveKey } from '../../oidc/keys.js';

export interface CaseKeys {
  encryption: Buffer;
  fingerprint: Buffer;
}

/** DOCUMENT_ENCRYPTION_KEY is 64 hex characters or base64 of 32 bytes; absent → HKDF of the instance secret. */
export function caseKeys(config: Pick<Config, 'documentEncryptionKey'>, secret: string): CaseKeys {
  return { encryption: encryptionKey(config.documentEncryptionKey, secret), fingerprint: deriveKey(secret, 'document-fingerprint') };
}

function encryptionKey(configured: string | undefined, secret: string): Buffer {
  if (!configured) return deriveKey(secret, 'document-encryption');
  const text = configured.trim();
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('DOCUMENT_ENCRYPTION_KEY must be 32 bytes (64 hex characters or base64).');
  return key;
}

const IV = 12;
const TAG = 16;
const VERSION = 1;

/** [version 1 byte][IV 12][tag 16][ciphertext]; `aad` binds the blob to where it belongs (e.g. case id + kind). */
export function seal(key: Buffer, plain: Buffer, aad: string): Buffer {
  const iv = crypto.randomBytes(IV);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

export function open(key: Buffer, blob: Buffer, aad: string): Buffer {
  if (blob.length < 1 + IV + TAG || blob[0] !== VERSION) throw new Error('not a sealed blob');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, blob.subarray(1, 1 + IV));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(blob.subarray(1 + IV, 1 + IV + TAG));
  return Buffer.concat([decipher.update(blob.subarray(1 + IV + TAG)), decipher.final()]);
}

export const sealJson = (key: Buffer, value: unknown, aad: string): string => seal(key, Buffer.from(JSON.stringify(value)), aad).toString('base64');
export const openJson = <T>(key: Buffer, text: string, aad: string): T => JSON.parse(open(key, Buffer.from(text, 'base64'), aad).toString('utf8')) as T;

/** Same document ⇔ same fingerprint; the raw number never needs to be stored to compare. */
export function documentFingerprint(key: Buffer, doc: { type: string; issuingState: string; number: string }): string {
  const canonical = [doc.type, doc.issuingState, doc.number].map((s) => s.toUpperCase().replace(/[^A-Z0-9]/g, '')).join('|');
  return `docfp1_${crypto.createHmac('sha256', key).update(canonical).digest('base64url')}`;
}
