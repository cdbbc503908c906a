// Issue 10 item 10: a copy of the token store (oidc_payloads, or Redis on the Postgres + Redis pass) must not hold
// a usable token. Refresh tokens, authorization codes and session cookies were the key names / row ids and sat in
// plain payloads; now ids are keyed hashes and payloads sealed, while refresh, rotation, the session lookups of
// the sign-in and revocation by grant keep working.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { authRequest, discoverRp, signInThroughPages } from '../support/oidc.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** Everything the artifact store holds, as text: Redis keys and values under the prefix, or oidc_payloads rows. */
async function storeDump(): Promise<{ text: string; artifacts: number }> {
  const { redis, config, db } = server.deps;
  if (redis) {
    const keys = (await redis.keys(`${config.redisPrefix}oidc*`)).sort();
    const parts: string[] = [];
    for (const k of keys) {
      const type = await redis.type(k);
      const value =
        type === 'hash' ? await redis.hgetall(k) : type === 'list' ? await redis.lrange(k, 0, -1) : type === 'set' ? await redis.smembers(k) : await redis.get(k);
      parts.push(`${k} ${JSON.stringify(value)}`);
    }
    return { text: parts.join('\n'), artifacts: keys.length };
  }
  const rows: unknown[] = await db.knex('oidc_payloads').select('*');
  return { text: JSON.stringify(rows), artifacts: rows.length };
}

describe('OIDC artifacts at rest', () => {
  it('stores no token, code or session id in the clear, and refresh, rotation and grant revocation still work', async () => {
    const client = await server.client(await server.tenant());
    const person = await server.person();
    const config = await discoverRp(server, client);
    const req = await authRequest(config, client.redirect_uri);
    const browser = new Browser();
    const callback = await signInThroughPages(server, req.url, person, browser);
    const code = callback.searchParams.get('code')!;
    const session = browser.cookies('_session')[0]!;
    expect(session).toBeTruthy();
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    const refresh = tokens.refresh_token!;
    expect(refresh).toBeTruthy();

    const dump = await storeDump();
    expect(dump.artifacts).toBeGreaterThan(0);
    // The session works: a second authorization signs in silently with the same cookie and grant (lookups by
    // hashed id and uid).
    const again = await authRequest(config, client.redirect_uri, 'openid');
    const step = await browser.follow(again.url.href, server.url);
    expect(step.url, `${step.res.status}`).toContain(`${client.redirect_uri}?code=`);
    const found = { refresh_token: dump.text.includes(refresh), code: dump.text.includes(code), session: dump.text.includes(session) };
    expect(found).toEqual({ refresh_token: false, code: false, session: false });
    // Nor anything that reads as a payload: the stored form is sealed.
    expect(dump.text).not.toMatch(/accountId|clientId|"jti"/);

    // Rotation finds the hashed refresh token.
    const rotated = await oidc.refreshTokenGrant(config, refresh);
    expect(rotated.refresh_token).not.toBe(refresh);
    expect((await storeDump()).text.includes(rotated.refresh_token!)).toBe(false);

    // Revoking the refresh token revokes its grant (revokeByGrantId over the hashed grant index): the tokens stop
    // working and the next authorization asks for consent again, where before it went straight back.
    await oidc.tokenRevocation(config, rotated.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, rotated.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oidc.refreshTokenGrant(config, refresh)).rejects.toMatchObject({ error: 'invalid_grant' });
    const afterRevoke = await browser.follow((await authRequest(config, client.redirect_uri, 'openid')).url.href, server.url);
    expect(afterRevoke.url).toContain(`${server.url}/interaction/`);
  });
});
