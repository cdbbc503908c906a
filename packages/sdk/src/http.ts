// One request with the client's retry policy. Only calls that are safe to repeat are retried: reads (GET), and
// creates carrying an Idempotency-Key (the server replays the first answer). They are retried on 429, 5xx and
// network errors, after the server's Retry-After when it sent one, else after an exponential backoff with
// jitter. Everything else is sent once: a timed-out upload or decision may have happened.
import { errorFrom, KycPortError } from './errors.js';

export interface RetryOptions {
  /** Retries after the first attempt (default 2; 0 turns retrying off). */
  maxRetries?: number;
  /** First backoff in ms, doubled each retry (default 500). */
  baseDelayMs?: number;
  /** Longest backoff, and longest Retry-After honoured, in ms (default 30 000): a longer wait is the caller's call. */
  maxDelayMs?: number;
}

export interface Transport {
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch;
  retry: Required<RetryOptions>;
}

export interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below /api/v1, with its parameters already encoded. */
  path: string;
  query?: Record<string, string | number | boolean | undefined> | undefined;
  /** A JSON value, or a multipart form (re-sendable, so uploads could be retried if they ever were idempotent). */
  body?: unknown;
  idempotencyKey?: string | undefined;
  signal?: AbortSignal | undefined;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });

/** Exponential backoff with "equal jitter": half the doubled delay, plus a random part of the other half. */
export function backoff(attempt: number, retry: Required<RetryOptions>, random = Math.random): number {
  const full = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt);
  return full / 2 + random() * (full / 2);
}

const retryableStatus = (status: number) => status === 429 || status >= 500;

export async function request<T>(t: Transport, call: Call): Promise<T> {
  const url = new URL(`${t.baseUrl}/api/v1${call.path}`);
  for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { authorization: `Bearer ${t.apiKey}`, accept: 'application/json' };
  let body: BodyInit | undefined;
  if (call.body instanceof FormData) body = call.body;
  else if (call.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.body);
  }
  if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey;
  const idempotent = call.method === 'GET' || Boolean(call.idempotencyKey);

  for (let attempt = 0; ; attempt++) {
    const canRetry = idempotent && attempt < t.retry.maxRetries;
    let res: Response;
    try {
      res = await t.fetch(url.href, { method: call.method, headers, body, signal: call.signal });
    } catch (err) {
      if (call.signal?.aborted) throw err;
      if (canRetry) {
        await sleep(backoff(attempt, t.retry), call.signal);
        continue;
      }
      throw new KycPortError({ status: 0, error: 'network_error', message: `${call.method} ${url.pathname}: ${err instanceof Error ? err.message : String(err)}`, cause: err });
    }
    if (res.ok) {
      if (res.status === 204) return undefined as T;
      const text = await res.text();
      try {
        return (text ? JSON.parse(text) : undefined) as T;
      } catch (err) {
        throw new KycPortError({ status: res.status, error: 'invalid_response', message: `${call.method} ${url.pathname}: the answer is not JSON`, cause: err });
      }
    }
    const error = await errorFrom(res);
    if (!canRetry || !retryableStatus(res.status)) throw error;
    const asked = error.retryAfter === undefined ? undefined : error.retryAfter * 1000;
    if (asked !== undefined && asked > t.retry.maxDelayMs) throw error;
    await sleep(asked ?? backoff(attempt, t.retry), call.signal);
  }
}
