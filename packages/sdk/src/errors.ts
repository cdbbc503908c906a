// The one error the client throws for an unsuccessful call: the server's JSON error shape ({error, message,
// details?}) with the HTTP status and, on 429/503, how long the server asked us to wait.

export class KycPortError extends Error {
  override readonly name = 'KycPortError';
  /** HTTP status; 0 when no answer arrived (network error, aborted). */
  readonly status: number;
  /** The server's stable code (`validation_failed`, `not_found`, `unauthorized`, `rate_limited`, …), or `network_error` / `invalid_response`. */
  readonly error: string;
  /** Per-field problems of a `validation_failed`. */
  readonly details: unknown[] | undefined;
  /** Seconds the server asked to wait (Retry-After), when it said. */
  readonly retryAfter: number | undefined;
  /** The server's X-Request-Id for this answer: quote it when asking for support. */
  readonly requestId: string | undefined;

  constructor(init: { status: number; error: string; message: string; details?: unknown[]; retryAfter?: number; requestId?: string; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.error = init.error;
    this.details = init.details;
    this.retryAfter = init.retryAfter;
    this.requestId = init.requestId;
  }
}

/** Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The error for a non-2xx answer, from its body when it has the server's shape. */
export async function errorFrom(res: Response): Promise<KycPortError> {
  const text = await res.text().catch(() => '');
  let body: { error?: unknown; message?: unknown; details?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not ours (a proxy's HTML page, an empty 502): described by the status alone.
  }
  const retryAfter = retryAfterSeconds(res.headers.get('retry-after'));
  const requestId = res.headers.get('x-request-id') ?? undefined;
  return new KycPortError({
    status: res.status,
    error: typeof body.error === 'string' ? body.error : 'http_error',
    message: typeof body.message === 'string' ? body.message : `HTTP ${res.status} ${res.statusText}`.trim(),
    ...(Array.isArray(body.details) ? { details: body.details as unknown[] } : {}),
    ...(retryAfter !== undefined ? { retryAfter } : {}),
    ...(requestId ? { requestId } : {}),
  });
}
