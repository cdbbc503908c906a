// The console's own session: a signed cookie (HMAC, the instance secret's 'console-session' subkey), httpOnly,
// SameSite=Strict, path /console. It holds who signed in, whether that sign-in used a second factor, a random id
// (the forms' CSRF tokens are bound to it) and two times: the sign-in (absolute limit) and the last request
// (idle limit). Each request slides the idle time; roles are read from the database on every request, so a role
// taken away applies at once. Nothing in it is secret: the MAC keeps it from being forged or altered.
import crypto from 'node:crypto';
import type Koa from 'koa';
import { z } from 'zod';
import { sameSecret } from '../crypto/hash.js';

export const SESSION_COOKIE = 'kpconsole';
/** However active, a console session ends after this long: sign in again (with the second factor). */
export const MAX_SESSION_MS = 8 * 3_600_000;

const payload = z.object({ sid: z.string(), pid: z.string(), mfa: z.boolean(), at: z.number(), seen: z.number() });
export type ConsoleSession = z.infer<typeof payload>;

/** A JSON value in a cookie, with a MAC over it: readable by the browser, not forgeable. */
export function signedValue(key: Buffer) {
  const mac = (body: string) => crypto.createHmac('sha256', key).update(body).digest('base64url');
  return {
    seal: (value: unknown): string => {
      const body = Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${body}.${mac(body)}`;
    },
    open<T>(raw: string | undefined, schema: z.ZodType<T>): T | undefined {
      const [body = '', given = ''] = raw?.split('.') ?? [];
      if (!body || !given || !sameSecret(mac(body), given)) return undefined;
      try {
        const r = schema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
        return r.success ? r.data : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

export function consoleSessions(opts: { key: Buffer; idleMs: number; secureCookies: boolean; now: () => Date }) {
  const signed = signedValue(opts.key);
  const cookie = { httpOnly: true, sameSite: 'strict' as const, path: '/console', secure: opts.secureCookies, overwrite: true };
  const write = (ctx: Koa.Context, s: ConsoleSession) => ctx.cookies.set(SESSION_COOKIE, signed.seal(s), cookie);

  return {
    start(ctx: Koa.Context, who: { personId: string; mfa: boolean }): ConsoleSession {
      const now = opts.now().getTime();
      const s = { sid: crypto.randomBytes(16).toString('base64url'), pid: who.personId, mfa: who.mfa, at: now, seen: now };
      write(ctx, s);
      return s;
    },
    /** The live session (its idle time moved on), or undefined: none, forged, idle too long or too old. */
    read(ctx: Koa.Context): ConsoleSession | undefined {
      const s = signed.open(ctx.cookies.get(SESSION_COOKIE), payload);
      const now = opts.now().getTime();
      if (!s || now - s.seen > opts.idleMs || now - s.at > MAX_SESSION_MS) return undefined;
      const next = { ...s, seen: now };
      write(ctx, next);
      return next;
    },
    end(ctx: Koa.Context): void {
      ctx.cookies.set(SESSION_COOKIE, '', { ...cookie, maxAge: 0 });
    },
  };
}
