// Body parsers for our own routes (the provider parses its own). Small limits: nothing we accept as JSON is big,
// and nothing nests deeply: a body nested deeper than JSON_MAX_DEPTH is a 400 before any route code walks it.
import type Koa from 'koa';
import { koaBody } from 'koa-body';
import { BadRequestError, UnsupportedMediaTypeError } from './errors.js';

/** Our request bodies nest 3 levels at most; 32 leaves room without letting a walker recurse 30,000 deep. */
export const JSON_MAX_DEPTH = 32;

/** Depth of a parsed JSON value (a scalar is 0, `[]` is 1), counted without recursion; stops past `max`. */
export function jsonDepthOver(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Wraps a koa-body parser: after it parsed, refuse a body nested deeper than JSON_MAX_DEPTH. */
export function depthLimited(parser: Koa.Middleware): Koa.Middleware {
  return async (ctx, next) => {
    await parser(ctx, async () => {
      if (jsonDepthOver(ctx.request.body, JSON_MAX_DEPTH)) {
        throw new BadRequestError('json_too_deep', `The JSON body nests deeper than ${JSON_MAX_DEPTH} levels.`);
      }
      await next();
    });
  };
}

export const jsonBody = () => depthLimited(koaBody({ json: true, urlencoded: false, multipart: false, text: false, jsonLimit: '256kb', jsonStrict: true }));
export const formBody = () => koaBody({ json: false, urlencoded: true, multipart: false, text: false, formLimit: '16kb' });

/**
 * A tenant-API JSON body (or none): form-encoded bodies are parsed just far enough for `guard` to see them, then
 * refused with a 415, as is any other media type.
 */
export function jsonOnly(guard?: (body: unknown) => void): Koa.Middleware[] {
  const parser = depthLimited(koaBody({ json: true, urlencoded: true, multipart: false, text: false, jsonLimit: '64kb', formLimit: '64kb', jsonStrict: true }));
  return [
    parser,
    async (ctx, next) => {
      guard?.(ctx.request.body ?? {});
      const hasBody = Number(ctx.get('Content-Length') || 0) > 0 || Boolean(ctx.get('Transfer-Encoding'));
      if (hasBody && !ctx.is('application/json')) throw new UnsupportedMediaTypeError('Send a JSON body (Content-Type: application/json).');
      await next();
    },
  ];
}

/** Answers that must never be cached (tenant data, fresh single-use links). */
export const noStore: Koa.Middleware = async (ctx, next) => {
  await next();
  ctx.set('Cache-Control', 'no-store');
};
