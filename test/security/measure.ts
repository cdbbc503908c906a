// Before/after figures for issue 10 items 1, 2 and 8, against an in-process test server (PGlite, one engine worker).
//   nice -n 19 npx tsx --expose-gc test/security/measure.ts normal|pixel|pixel3|iccp|stalled|deep
//   (UPLOAD_*/VERIFICATION_* variables in the environment configure the server, e.g. UPLOAD_CONCURRENCY_PER_TENANT=100)
// Prints JSON: wall and CPU time of the attack, RSS growth (peak sampled every 25 ms), the latency of a normal
// upload sent at the same time, and the status codes the attack got.
import { generatePassport } from '../support/documents/index.js';
import { startTestServer } from '../support/server.js';
import { api, form, newCase, setupTenant, subject } from '../verification/cases/support.js';
import { deepJson, iccpBombPng, pixelBombPng, stalledUpload } from './bombs.js';

const MB = 1_048_576;
const which = process.argv[2] ?? 'pixel';
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  return { stop: () => (clearInterval(timer), peak) };
}

// UPLOAD_* and VERIFICATION_* settings pass through from the environment (e.g. to lift the caps for a run).
const passed = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(UPLOAD|VERIFICATION)_/.test(k))) as Record<string, string>;
const server = await startTestServer({ env: { LOG_LEVEL: 'warn', ...passed } });
const t = await setupTenant(server);
const a = api(server, t);
const { sub } = await subject(server, t);
const passport = (await generatePassport({ portrait: 'personA_webcam' })).image;
await server.services.warmup();
// One normal upload first, so models and caches are warm before the baseline.
await a.upload(await newCase(a, sub, 't1'), form({ document: passport }));

async function normalUpload(): Promise<{ status: number; ms: number }> {
  const id = await newCase(a, sub, 't1');
  const t0 = performance.now();
  const res = await a.upload(id, form({ document: passport }));
  await res.text();
  return { status: res.status, ms: Math.round(performance.now() - t0) };
}

async function measure(label: string, attack: () => Promise<unknown>) {
  gc();
  const rss0 = process.memoryUsage().rss;
  const sampler = rssSampler();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const [result, normal] = await Promise.all([attack(), new Promise((r) => setTimeout(r, 100)).then(normalUpload)]);
  const wallMs = Math.round(performance.now() - t0);
  const cpu = process.cpuUsage(cpu0);
  const peak = sampler.stop();
  console.log(
    JSON.stringify({
      label,
      result,
      wall_ms: wallMs,
      cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
      rss_growth_mb: Math.round((peak - rss0) / MB),
      concurrent_normal_upload: normal,
    }),
  );
}

async function send(png: Buffer) {
  const id = await newCase(a, sub, 't1');
  const t0 = performance.now();
  const res = await a.upload(id, form({ document: png, filename: 'bomb.png' }));
  const body = (await res.json()) as { error?: string };
  return { status: res.status, error: body.error, ms: Math.round(performance.now() - t0) };
}

if (which === 'normal') {
  await measure('no attack (a normal upload alone)', async () => null);
} else if (which === 'pixel' || which === 'pixel3') {
  const bomb = await pixelBombPng();
  console.log(JSON.stringify({ pixel_bomb_kb: Math.round(bomb.length / 1024) }));
  if (which === 'pixel') await measure('pixel bomb 13,333,333×3', () => send(bomb));
  else await measure('three pixel bombs at once', () => Promise.all([send(bomb), send(bomb), send(bomb)]));
} else if (which === 'iccp') {
  const iccp = await iccpBombPng();
  console.log(JSON.stringify({ iccp_bomb_kb: Math.round(iccp.length / 1024) }));
  await measure('iCCP bomb', () => send(iccp));
} else if (which === 'stalled') {
  const N = 40;
  gc();
  const rss0 = process.memoryUsage().rss;
  const sampler = rssSampler();
  const ids = await Promise.all(Array.from({ length: N }, () => newCase(a, sub, 't1')));
  const headers = { authorization: `Bearer ${t.apiKey}` };
  const uploads = ids.map((id) => stalledUpload(`${server.url}/api/v1/verification/cases/${id}/upload/`, headers, 54 * MB));
  const statuses: Record<string, number> = {};
  for (const u of uploads) void u.answered.then((r) => (statuses[r.status] = (statuses[r.status] ?? 0) + 1), () => (statuses.error = (statuses.error ?? 0) + 1));
  // Until every client has sent its 54 MB (or was answered), at most 120 s.
  const t0 = performance.now();
  while (performance.now() - t0 < 120_000 && uploads.some((u, i) => u.sent() < 54 * MB && !(String(i) in statuses) && Object.values(statuses).reduce((x, y) => x + y, 0) < N)) {
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise((r) => setTimeout(r, 2000));
  const stalledPeak = sampler.stop();
  const normal = await normalUpload();
  const sentMb = Math.round(uploads.reduce((s, u) => s + u.sent(), 0) / MB);
  for (const u of uploads) u.abort();
  await new Promise((r) => setTimeout(r, 3000));
  gc();
  await new Promise((r) => setTimeout(r, 1000));
  const after = process.memoryUsage().rss;
  console.log(
    JSON.stringify({
      label: `${N} stalled uploads of 54 MB`,
      client_sent_mb: sentMb,
      answered: statuses,
      rss_growth_while_stalled_mb: Math.round((stalledPeak - rss0) / MB),
      rss_growth_after_abort_mb: Math.round((after - rss0) / MB),
      normal_upload_while_stalled: normal,
    }),
  );
} else if (which === 'deep') {
  const body = deepJson(32 * 1024);
  const res = await fetch(`${server.url}/api/v1/verification/cases/`, { method: 'POST', headers: { authorization: `Bearer ${t.apiKey}`, 'content-type': 'application/json' }, body });
  console.log(JSON.stringify({ label: '64 KB of nested [ to case creation', status: res.status, body: (await res.text()).slice(0, 200) }));
}

await server.services.close();
await server.close();
process.exit(0);
