// Standard Webhooks signatures: v1,<base64 HMAC-SHA256 of "id.timestamp.body">, several space-separated.
import crypto from 'node:crypto';
import { secretKeyBytes } from './secrets.js';

export function signature(secret: string, msgId: string, timestampSec: number, body: string): string {
  const mac = crypto.createHmac('sha256', secretKeyBytes(secret)).update(`${msgId}.${timestampSec}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The three headers; with a rotated secret both signatures go out so receivers can switch at their pace. */
export function signedHeaders(secrets: string[], msgId: string, timestampSec: number, body: string): Record<string, string> {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': secrets.map((s) => signature(s, msgId, timestampSec, body)).join(' '),
  };
}
