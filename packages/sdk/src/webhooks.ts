// Standard Webhooks verification (https://www.standardwebhooks.com) with WebCrypto, so it runs wherever fetch
// does. KYCPort signs "{webhook-id}.{webhook-timestamp}.{raw body}" with HMAC-SHA256 keyed by the base64 part of
// the endpoint's `whsec_` secret; `webhook-signature` holds one or more space-separated `v1,<base64>` values (two
// during a secret rotation), and one valid signature is enough.
import type { WebhookEventType } from './types.js';

/**
 * The JSON body of every delivery. `id` is the event's id; the `webhook-id` header is the message id, the same on
 * every retry of this event to this endpoint: deduplicate on that.
 */
export interface WebhookEvent<D = Record<string, unknown>> {
  id: string;
  type: WebhookEventType | (string & {});
  created_at: string;
  tenant_id: string;
  /** false: a test-mode event (made with a `kp_test_` key); only test endpoints receive them. */
  livemode: boolean;
  data: D;
}

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

/** A Fetch `Headers`, or a plain object such as Node's `req.headers` (names in any case). */
export type HeadersLike = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** Largest accepted distance between `webhook-timestamp` and now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** The current time in ms (tests). */
  now?: number;
}

const DEFAULT_TOLERANCE_SECONDS = 5 * 60;
const encoder = new TextEncoder();

/** Duck-typed: a Headers from another fetch implementation (a polyfill, undici's own) is not `instanceof Headers`. */
const isHeaders = (h: HeadersLike): h is Headers => typeof (h as { get?: unknown }).get === 'function';

function header(headers: HeadersLike, name: string): string | undefined {
  if (isHeaders(headers)) return headers.get(name) ?? undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return Array.isArray(v) ? v.join(' ') : v;
  return undefined;
}

function base64Bytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

function bodyBytes(raw: string | ArrayBuffer | ArrayBufferView): Uint8Array<ArrayBuffer> {
  if (typeof raw === 'string') return encoder.encode(raw);
  if (raw instanceof ArrayBuffer) return new Uint8Array(raw);
  return new Uint8Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer);
}

/**
 * Checks a delivery and returns its event; throws `WebhookVerificationError` when a header is missing, the
 * timestamp is more than 5 minutes off, or no `v1` signature matches. Pass the raw body exactly as received
 * (before any JSON parsing): a re-serialized body does not verify.
 */
export async function verifyWebhook<D = Record<string, unknown>>(rawBody: string | ArrayBuffer | ArrayBufferView, headers: HeadersLike, secret: string, opts: VerifyOptions = {}): Promise<WebhookEvent<D>> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature header');
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError('invalid webhook-timestamp');
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) throw new WebhookVerificationError('webhook-timestamp is too far from now (replayed or delayed delivery)');

  const keyBytes = base64Bytes(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  if (!keyBytes?.length) throw new WebhookVerificationError('the secret is not a whsec_… value');
  const key = await globalThis.crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const body = bodyBytes(rawBody);
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);

  let valid = false;
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    const mac = version === 'v1' && value ? base64Bytes(value) : undefined;
    // subtle.verify compares in constant time.
    if (mac && (await globalThis.crypto.subtle.verify('HMAC', key, mac, signed))) {
      valid = true;
      break;
    }
  }
  if (!valid) throw new WebhookVerificationError('no valid v1 signature');
  try {
    return JSON.parse(new TextDecoder().decode(body)) as WebhookEvent<D>;
  } catch {
    throw new WebhookVerificationError('the signed body is not JSON');
  }
}
