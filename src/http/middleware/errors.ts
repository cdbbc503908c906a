// The one place errors become responses. Unknown errors are 500 without internals.
import type Koa from 'koa';
import { ApiError, DependencyUnavailableError } from '../errors.js';
import { unavailablePage } from '../html.js';
import { outageOf, outages, RETRY_AFTER_SECONDS } from '../../db/outage.js';
import { log } from '../../log.js';

export function errorHandler(): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null && ctx.respond !== false) {
        throw new ApiError(404, 'not_found', `No route for ${ctx.method} ${ctx.path}.`);
      }
    } catch (err) {
      const e = toApiError(err);
      // An outage is logged once when it starts (db/outage.ts), not once per refused request.
      if (e.status >= 500 && !(e instanceof DependencyUnavailableError)) {
        log.error('request failed', { request_id: ctx.state.requestId, path: ctx.path, err: describe(err) });
      }
      ctx.status = e.status;
      for (const [k, v] of Object.entries(e.headers ?? {})) ctx.set(k, v);
      // A person in a browser (e.g. an email link) gets a page during an outage; API clients get JSON.
      if (e instanceof DependencyUnavailableError && !ctx.path.startsWith('/api/') && ctx.accepts('json', 'html') === 'html') {
        ctx.type = 'html';
        ctx.body = unavailablePage();
        return;
      }
      ctx.body = { error: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) };
    }
  };
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const dependency = outageOf(err);
  if (dependency) {
    outages.refused(dependency, err);
    return new DependencyUnavailableError(dependency, RETRY_AFTER_SECONDS);
  }
  const e = err as { status?: number; expose?: boolean; message?: string };
  // Errors thrown by body parsers and Koa helpers carry a status and a safe message.
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    const code = e.status === 413 ? 'payload_too_large' : e.status === 415 ? 'unsupported_media_type' : 'bad_request';
    return new ApiError(e.status, code, e.expose && e.message ? e.message : 'Bad request.');
  }
  return new ApiError(500, 'internal_error', 'Internal server error.');
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err);
}
