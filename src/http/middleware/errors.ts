// The one place errors become responses: {error, message, details?}, never cached. Unknown errors are 500
// without internals; what routers and body parsers answer themselves (404, 405, 501, parse errors) gets the
// same shape and a message that says what to fix.
import type Koa from 'koa';
import { ApiError, DependencyUnavailableError } from '../errors.js';
import { errorPage, unavailablePage, type Onward } from '../html.js';
import { outageOf, outages, RETRY_AFTER_SECONDS } from '../../db/outage.js';
import { log } from '../../log.js';

/**
 * For routers whose every answer is a page a person looks at (/account, /console): an error is a page with the
 * error's status and headers and, when `onward` names one, a link on; nothing they answer is cached.
 */
export function pageErrors(onward?: (ctx: Koa.Context, e: ApiError) => Onward | undefined): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const e = toApiError(err);
      ctx.status = e.status;
      for (const [k, v] of Object.entries(e.headers ?? {})) ctx.set(k, v);
      ctx.type = 'html';
      ctx.body = errorPage(e, onward?.(ctx, e));
    }
    ctx.set('Cache-Control', 'no-store');
  };
}

export function errorHandler(): Koa.Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status >= 400 && ctx.body == null && ctx.respond !== false) throw routerAnswer(ctx);
    } catch (err) {
      const e = toApiError(err);
      // An outage is logged once when it starts (db/outage.ts), not once per refused request.
      if (e.status >= 500 && !(e instanceof DependencyUnavailableError)) {
        log.error('request failed', { request_id: ctx.state.requestId, path: ctx.path, err: describe(err) });
      }
      ctx.status = e.status;
      for (const [k, v] of Object.entries(e.headers ?? {})) ctx.set(k, v);
      // An error is about this request only: no cache (nor a shared proxy) may keep it.
      ctx.set('Cache-Control', 'no-store');
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

/** A status set without a body: the routers' 404, and their 405/501 (which set Allow, kept on the response). */
function routerAnswer(ctx: Koa.Context): ApiError {
  const allow = ctx.response.get('Allow');
  if (ctx.status === 405) return new ApiError(405, 'method_not_allowed', `${ctx.method} is not allowed on ${ctx.path}; use ${allow || 'another method'}.`);
  if (ctx.status === 501) return new ApiError(501, 'not_implemented', `The method ${ctx.method} is not supported.`);
  if (ctx.status === 404) return new ApiError(404, 'not_found', `No route for ${ctx.method} ${ctx.path}.`);
  return new ApiError(ctx.status, ctx.status < 500 ? 'bad_request' : 'internal_error', ctx.status < 500 ? 'Bad request.' : 'Internal server error.');
}

interface HttpLikeError {
  status?: number;
  expose?: boolean;
  message?: string;
  /** raw-body's error types (koa-body reads bodies through co-body → raw-body). */
  type?: string;
  limit?: number;
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const dependency = outageOf(err);
  if (dependency) {
    outages.refused(dependency, err);
    return new DependencyUnavailableError(dependency, RETRY_AFTER_SECONDS);
  }
  const e = err as HttpLikeError | undefined;
  // Errors thrown by body parsers and Koa helpers carry a status; say what was wrong with the body.
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return bodyError(err, e);
  return new ApiError(500, 'internal_error', 'Internal server error.');
}

function bodyError(err: unknown, e: HttpLikeError): ApiError {
  const status = e.status!;
  // co-body marks a JSON.parse failure (and its strict-mode refusal of a bare scalar) with status 400.
  if (err instanceof SyntaxError) return new ApiError(400, 'invalid_json', `The body is not valid JSON: ${clip(err.message)}`);
  if (e.type === 'entity.too.large') return new ApiError(413, 'payload_too_large', `The body is larger than the limit of ${e.limit ?? '?'} bytes.`);
  if (e.type === 'encoding.unsupported') return new ApiError(415, 'unsupported_media_type', 'The Content-Encoding is not supported: send gzip, deflate, br or none.');
  if (e.type === 'charset.unsupported') return new ApiError(415, 'unsupported_media_type', 'The body charset is not supported: send UTF-8.');
  if (e.type === 'request.size.invalid') return new ApiError(400, 'bad_request', 'The body is shorter or longer than its Content-Length.');
  if (e.type === 'request.aborted') return new ApiError(400, 'bad_request', 'The request was aborted before its body was read.');
  const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
  return new ApiError(status, code, e.expose && e.message ? e.message : 'Bad request.');
}

/** JSON.parse quotes a bit of the input: enough to find the mistake, never the whole body. */
const clip = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err);
}
