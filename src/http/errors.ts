// One error family; the error middleware turns each into {error, message, details?} with its status.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends ApiError {
  constructor(message: string, details?: unknown[]) {
    super(400, 'validation_failed', message, details);
  }
}

export class BadRequestError extends ApiError {
  constructor(code: string, message: string, details?: unknown[]) {
    super(400, code, message, details);
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message = 'A valid API key is required (Authorization: Bearer kp_live_…).') {
    super(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });
  }
}

export class ForbiddenError extends ApiError {
  constructor(message = 'Not allowed.', code = 'forbidden') {
    super(403, code, message);
  }
}

/**
 * The API key is valid but lacks the scope the route needs (RFC 6750 §3.1: 403 with the scope named in
 * WWW-Authenticate). details: [{ required, granted }].
 */
export class InsufficientScopeError extends ApiError {
  constructor(required: string, granted: readonly string[]) {
    super(403, 'insufficient_scope', `This API key lacks the ${required} scope this route needs; create a key with it (kycport apikey create --scope ${required}).`, [{ required, granted }], {
      'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${required}"`,
    });
  }
}

export class NotFoundError extends ApiError {
  constructor(what = 'Resource') {
    super(404, 'not_found', `${what} not found.`);
  }
}

export class ConflictError extends ApiError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

export class UnprocessableError extends ApiError {
  constructor(code: string, message: string, details?: unknown[]) {
    super(422, code, message, details);
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(message: string) {
    super(413, 'payload_too_large', message);
  }
}

export class UnsupportedMediaTypeError extends ApiError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}

export class RateLimitedError extends ApiError {
  constructor(retryAfterSeconds: number) {
    super(429, 'rate_limited', `Too many requests. Retry after ${retryAfterSeconds} s.`, undefined, {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}

/** The database or Redis cannot be reached: the caller should retry shortly (the outage is logged once). */
export class DependencyUnavailableError extends ApiError {
  constructor(readonly dependency: 'database' | 'redis', retryAfterSeconds: number) {
    super(
      503,
      'service_unavailable',
      `KYCPort cannot reach its ${dependency === 'redis' ? 'session store' : 'database'} at the moment. Retry after ${retryAfterSeconds} s.`,
      undefined,
      { 'Retry-After': String(retryAfterSeconds), 'Cache-Control': 'no-store' },
    );
  }
}
