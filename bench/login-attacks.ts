// Issue 10 items 3 and 5, measured (not part of `npm run bench`): against a server in its own process,
//  1. a password spray over 25 accounts, one guess each, with a new spoofed X-Forwarded-For address per guess:
//     how many guesses reach the password check (the rest are 429);
//  2. a real person's sign-in latency, quiet and while 300 concurrent sign-ins with spoofed addresses run;
//  3. the same with 300 different real addresses (a botnet behind the proxy), which the per-address limit can't stop.
// A proxy in front appends the real address, so each request carries "<spoofed>, <real>" (TRUST_PROXY=1).
// A status of 0 is a connection the client lost (a reset under heavy load), counted apart.
// Run: nice -n 19 npx tsx bench/login-attacks.ts
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { openSignInForm } from '../test/support/sign-in-form.js';

interface Target {
  url: string;
  client: { client_id: string; client_secret?: string; redirect_uri: string };
  person: { email: string; password: string };
  sprayed: string[];
}

const child = spawn(process.execPath, ['--import', 'tsx', 'bench/servers/sign-in-target.ts'], {
  env: { ...process.env, LOG_LEVEL: 'error', NODE_ENV: 'test' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
const target = JSON.parse(line) as Target;

async function realSignIn(address: string): Promise<{ ms: number; status: number }> {
  const form = await openSignInForm(target, target.client);
  const started = performance.now();
  const status = await form.post(target.person.email, target.person.password, address).then((r) => r.status, () => 0);
  return { ms: Math.round(performance.now() - started), status };
}

async function flood(label: string, forwarded: (i: number) => string): Promise<void> {
  const form = await openSignInForm(target, target.client);
  const started = performance.now();
  const pending = Array.from({ length: 300 }, (_, i) =>
    form.post(`flood.${label}.${i}@example.com`, `guess ${i}`, forwarded(i)).then((r) => r.status, () => 0),
  );
  await new Promise((r) => setTimeout(r, 300));
  const real = await realSignIn('203.0.113.5');
  const statuses = await Promise.all(pending);
  const count = (s: number) => statuses.filter((x) => x === s).length;
  console.log(
    `${label}: real sign-in ${real.ms} ms (status ${real.status}); flood answered in ${Math.round(performance.now() - started)} ms:`,
    `${count(401)} checked (401), ${count(429)} refused 429, ${count(503)} busy 503, ${count(0)} connection errors`,
  );
}

try {
  const form = await openSignInForm(target, target.client);
  let tried = 0;
  for (const [i, email] of target.sprayed.entries()) {
    if ((await form.post(email, 'Winter2026!', `198.51.100.${i + 1}, 203.0.113.9`)).status !== 429) tried++;
  }
  console.log(`spray: ${tried} of 25 guesses reached the password check`);
  const quiet = await realSignIn('203.0.113.5');
  console.log(`quiet: real sign-in ${quiet.ms} ms (status ${quiet.status})`);
  await flood('spoofed', (i) => `192.0.2.${(i % 250) + 1}, 203.0.113.66`);
  await flood('botnet', (i) => `10.${i >> 8}.${i & 255}.1`);
} finally {
  child.kill('SIGTERM');
}
