// CSRF for the hosted forms: a random httpOnly cookie, and a form token = HMAC(cookie, interaction uid).
// A cross-site page can neither read the cookie nor compute the token.
import crypto from 'node:crypto';
import type Koa from 'koa';
import { checkFormToken } from '../../http/form-token.js';
import { keyedHash } from '../../crypto/hash.js';

const COOKIE = 'kp.csrf';

export function csrf(key: Buffer, secure: boolean) {
  const sign = (seed: string, uid: string) => keyedHash(key, `${seed}:${uid}`);
  return {
    issue(ctx: Koa.Context, uid: string): string {
      let seed = ctx.cookies.get(COOKIE);
      if (!seed || !/^[\w-]{20,64}$/.test(seed)) {
        seed = crypto.randomBytes(24).toString('base64url');
        ctx.cookies.set(COOKIE, seed, { httpOnly: true, sameSite: 'lax', secure, path: '/interaction', overwrite: true });
      }
      return sign(seed, uid);
    },
    verify(ctx: Koa.Context, uid: string, token: unknown): void {
      const seed = ctx.cookies.get(COOKIE);
      checkFormToken(seed ? sign(seed, uid) : undefined, token);
    },
  };
}
