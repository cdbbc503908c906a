// Issue 10 item 3, the attack: behind a proxy, the client wrote the left-most X-Forwarded-For entry and the server
// believed it, so a password spray over 25 accounts with a fresh spoofed address per try got 25 tries instead of 10,
// and 300 spoofed concurrent sign-ins all reached argon2. Now the client address is the right-most entry the
// trusted proxies vouch for (TRUST_PROXY: a hop count or their CIDRs), and an attempt counts from its start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { openSignInForm } from '../support/sign-in-form.js';

// The default is 10; a smaller limit shows the same mechanism with fewer argon2 checks (a slow, shared CI box).
const LIMIT = 4;

/** A password spray: one guess per account, each with a new made-up address in front of the real one. */
async function spray(server: TestServer, forwarded: (spoof: string) => string): Promise<number> {
  const client = await server.client(await server.tenant());
  const form = await openSignInForm(server, client);
  let tried = 0;
  // The address limit does not care whether the accounts exist (an unknown email costs the same check).
  for (let i = 0; i < 25; i++) {
    const res = await form.post(`sprayed${i}@example.com`, 'Winter2026!', forwarded(`198.51.100.${i + 1}`));
    if (res.status !== 429) tried++;
  }
  return tried;
}

describe('TRUST_PROXY as a hop count (one proxy appends the peer it saw)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { TRUST_PROXY: '1', RATE_LIMIT_LOGIN_PER_HOUR: String(LIMIT) } });
  });
  afterAll(() => server?.close());

  it('gives a password spray with spoofed X-Forwarded-For the limit\'s tries, not 25', async () => {
    // The proxy appends the attacker's real address after whatever the attacker sent.
    expect(await spray(server, (spoof) => `${spoof}, 203.0.113.9`)).toBe(LIMIT);
  });

  it('lets only the limit\'s worth of 60 concurrent spoofed sign-ins from one address reach the password check', async () => {
    const client = await server.client(await server.tenant());
    const form = await openSignInForm(server, client);
    // 60 different accounts, so no account's own limit stops them: only the address limit can.
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => form.post(`flooded${i}@example.com`, `guess ${i}`, `192.0.2.${i + 1}, 203.0.113.50`)),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s !== 429)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(60 - LIMIT);
  });
});

describe('TRUST_PROXY as CIDRs (two proxies: 10.0.0.0/8 behind one on loopback)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { TRUST_PROXY: '127.0.0.0/8,10.0.0.0/8', RATE_LIMIT_LOGIN_PER_HOUR: String(LIMIT) } });
  });
  afterAll(() => server?.close());

  it('takes the right-most address that is not a trusted proxy', async () => {
    expect(await spray(server, (spoof) => `${spoof}, 203.0.113.9, 10.0.0.2`)).toBe(LIMIT);
  });

  it('ignores X-Forwarded-For entirely from a peer that is not a trusted proxy', async () => {
    const direct = await startTestServer({ env: { TRUST_PROXY: '10.0.0.0/8', RATE_LIMIT_LOGIN_PER_HOUR: String(LIMIT) } });
    try {
      // The test client connects from 127.0.0.1, outside 10.0.0.0/8: every header it sends is its own invention.
      expect(await spray(direct, (spoof) => `${spoof}, 10.0.0.2`)).toBe(LIMIT);
    } finally {
      await direct.close();
    }
  });
});
