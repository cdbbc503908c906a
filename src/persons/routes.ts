// GET /verify-email?token=… — the link from the verification email.
import Router from '@koa/router';
import type { Deps } from '../deps.js';
import { messagePage } from '../oidc/interactions/views.js';
import { readVerificationToken } from './email-verification.js';
import { personStore } from './store.js';

export function personRoutes(deps: Deps, secret: string): Router {
  const router = new Router();
  router.get('/verify-email', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    const personId = readVerificationToken(secret, token, deps.clock.now());
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    if (!personId || !(await personStore.findById(deps.db.knex, personId))) {
      ctx.status = 400;
      ctx.body = messagePage('Link not valid', 'This verification link is invalid or has expired. Sign in to get a new one.');
      return;
    }
    await personStore.markEmailVerified(deps.db.knex, personId);
    ctx.body = messagePage('Email verified', 'Your email address is verified. Return to the sign-in page to continue.');
  });
  return router;
}
