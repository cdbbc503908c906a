// AES-256-GCM with associated data. The AAD names where a ciphertext belongs (a case id, a file path, an endpoint
// id), so a ciphertext copied elsewhere does not open. Two encodings of the same iv‖tag‖ciphertext body exist
// on disk and in the database and must stay byte-compatible:
//   blob   [version 0x01][iv 12][tag 16][ciphertext]        uploads (files), sealed JSON (base64 in a column)
//   box    "v1:" + base64url(iv 12 ‖ tag 16 ‖ ciphertext)  webhook signing secrets
import crypto from 'node:crypto';
import { z } from 'zod';
import { secretKey } from './secret-key.js';

const IV = 12;
const TAG = 16;
const BLOB_VERSION = 1;
const BOX_PREFIX = 'v1:';

export class SealError extends Error {}

function gcmSeal(key: Buffer, plain: Buffer, aad: string): Buffer {
  const iv = crypto.randomBytes(IV);
  const cipher = crypto.createCipheriv('aes-256-gcm', secretKey(key), iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function gcmOpen(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < IV + TAG) throw new SealError('sealed value too short');
  const decipher = crypto.createDecipheriv('aes-256-gcm', secretKey(key), sealed.subarray(0, IV));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(sealed.subarray(IV, IV + TAG));
  return Buffer.concat([decipher.update(sealed.subarray(IV + TAG)), decipher.final()]);
}

export function seal(key: Buffer, plain: Buffer, aad: string): Buffer {
  return Buffer.concat([Buffer.from([BLOB_VERSION]), gcmSeal(key, plain, aad)]);
}

export function open(key: Buffer, blob: Buffer, aad: string): Buffer {
  if (blob[0] !== BLOB_VERSION) throw new SealError('not a sealed blob');
  return gcmOpen(key, blob.subarray(1), aad);
}

/** JSON sealed as a base64 blob, for a text column. */
export const sealJson = (key: Buffer, value: unknown, aad: string): string => seal(key, Buffer.from(JSON.stringify(value)), aad).toString('base64');

/** Opens and decodes sealed JSON; a value that doesn't match `schema` is a loud error, never passed on. */
export function openJson<T>(key: Buffer, text: string, aad: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(JSON.parse(open(key, Buffer.from(text, 'base64'), aad).toString('utf8')));
  if (!parsed.success) throw new SealError(`sealed value (${aad.split(':')[0]}) does not match its schema: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Short secrets (text) sealed into a printable string. */
export interface SecretBox {
  seal(plaintext: string, boundTo: string): string;
  open(sealed: string, boundTo: string): string;
}

export function secretBox(key: Buffer): SecretBox {
  return {
    seal: (plaintext, boundTo) => BOX_PREFIX + gcmSeal(key, Buffer.from(plaintext, 'utf8'), boundTo).toString('base64url'),
    open(sealed, boundTo) {
      if (!sealed.startsWith(BOX_PREFIX)) throw new SealError('unknown sealed secret format');
      return gcmOpen(key, Buffer.from(sealed.slice(BOX_PREFIX.length), 'base64url'), boundTo).toString('utf8');
    },
  };
}

/**
 * Streaming AES-256-GCM for short-lived files (upload bodies in flight): only the ciphertext is written; the IV and
 * the tag stay with the caller in memory, so a temporary file is unreadable without the process that wrote it.
 */
export interface DetachedSeal {
  iv: Buffer;
  cipher: crypto.CipherGCM;
}

export function sealStream(key: Buffer, aad: string): DetachedSeal {
  const iv = crypto.randomBytes(IV);
  const cipher = crypto.createCipheriv('aes-256-gcm', secretKey(key), iv);
  cipher.setAAD(Buffer.from(aad));
  return { iv, cipher };
}

/** Opens what sealStream wrote, given its IV and (after the stream ended) `cipher.getAuthTag()`. */
export function openDetached(key: Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, aad: string): Buffer {
  const decipher = crypto.createDecipheriv('aes-256-gcm', secretKey(key), iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}
