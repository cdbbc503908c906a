// The hosted sign-in form driven directly: open one interaction, then post to it as often as a test wants (its
// CSRF token is stateless, so concurrent posts are fine), optionally through a proxy that appends an address.
import { Browser, csrfOf } from './browser.js';
import { authRequest, discoverRp } from './oidc.js';
import type { TestServer } from './server.js';

export interface SignInForm {
  browser: Browser;
  uid: string;
  csrf: string;
  /** Posts email + password; `forwardedFor` is sent as X-Forwarded-For (what the proxy in front passes on). */
  post(email: string, password: string, forwardedFor?: string): Promise<Response>;
}

export async function openSignInForm(server: Pick<TestServer, 'url'>, client: { client_id: string; client_secret?: string; redirect_uri: string }): Promise<SignInForm> {
  const browser = new Browser();
  const req = await authRequest(await discoverRp(server, client), client.redirect_uri, 'openid email');
  const step = await browser.follow(req.url.href, server.url);
  const uid = /\/interaction\/([\w-]+)/.exec(step.url)![1]!;
  const csrf = csrfOf(await step.res.text());
  return {
    browser,
    uid,
    csrf,
    post: (email, password, forwardedFor) =>
      browser.fetch(`${server.url}/interaction/${uid}/login`, {
        form: { email, password, csrf },
        headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
      }),
  };
}
