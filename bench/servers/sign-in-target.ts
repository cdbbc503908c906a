// The KYCPort that bench/login-attacks.ts attacks, in its own process: the test server (PGlite in memory) with one
// tenant, client and person plus 25 accounts to spray; prints them as one JSON line and runs until SIGTERM.
import { startTestServer } from '../../test/support/server.js';

const server = await startTestServer({ env: { TRUST_PROXY: process.env.TRUST_PROXY ?? '1', RATE_LIMIT_LOGIN_PER_HOUR: '10' } });
const client = await server.client(await server.tenant('Attacked Bank'));
const person = await server.person();
const sprayed: string[] = [];
for (let i = 0; i < 25; i++) sprayed.push((await server.person(`sprayed${i}@example.com`)).email);
process.stdout.write(`${JSON.stringify({ url: server.url, client, person, sprayed })}\n`);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
