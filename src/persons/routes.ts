// GET /verify-email?token=… — the link from the verification email.
import Router from '@koa/router';
import { messagePage } from '../http/html.js';
import type { PersonService } from './service.js';

export function personRoutes(persons: PersonService): Router {
  const router = new Router();
  router.get('/verify-email', async (ctx) => {
    const token = typeof ctx.query.token === 'string' ? ctx.query.token : '';
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    if (!(await persons.verifyEmail(token))) {
      ctx.status = 400;
      ctx.body = messagePage('Link not valid', 'This verification link is invalid or has expired. Sign in to get a new one.');
      return;
    }
    ctx.body = messagePage('Email verified', 'Your email address is verified. Return to the sign-in page to continue.');
  });
  return router;
}
