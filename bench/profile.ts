// Where a hot request's CPU goes: runs one KYCPort server under `node --cpu-prof`, loads it like the bench does
// (status lookups, or code exchanges at the token endpoint), and splits the server's CPU samples taken while the
// load ran into the parts of the request path. Not a pass/fail benchmark; its table goes into RESULTS.md's notes.
//
//   npx tsx bench/profile.ts status|tokens postgres|embedded [seconds]
//
// Each sample is charged to the innermost frame that belongs to a known part (node's crypto/buffer/util helpers
// and V8 builtins are charged to their caller), so "secret hashing" includes the SHA-256 it asks node for.
// A part's share is its share of the non-idle samples taken while the load ran (counted, not weighted by the
// interval: on a loaded machine the gaps between samples are time the server was not running). µs/request = that
// share × the server process's CPU time (utime + stime from /proc, all its threads) over the requests answered.
// Sampling slows the server (≈ 5–10%), and the absolute numbers depend on how loaded the machine is.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processCpuUs } from './lib/cpu.js';
import { load, type LoadResult } from './lib/load.js';
import { collectCodes, startSubject, tokenRequest } from './oidc.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

// First match wins, tested on the frame's url (and function name for V8's own entries).
const PARTS: [string, RegExp][] = [
  ['request id', /src\/http\/middleware\/request-id\.ts/],
  ['security headers', /src\/http\/middleware\/security-headers\.ts/],
  ['error handler', /src\/http\/middleware\/errors\.ts|src\/http\/errors\.ts/],
  ['IP rate limit (pages/OIDC)', /src\/http\/middleware\/ip-rate-limit\.ts/],
  ['branch + router (koa-compose, @koa/router, path-to-regexp)', /src\/http\/branch\.ts|koa-compose|@koa\/router|path-to-regexp/],
  ['API-key auth + its cache, secret hashing (ids.ts: API key, client secret)', /src\/tenants\/api-key-auth\.ts|src\/tenants\/api-key-cache\.ts|src\/ids\.ts/],
  ['rate limiting (counting, batching, store)', /src\/http\/rate-limit\.ts/],
  ['cache (InvalidatingCache)', /src\/db\/cache\.ts/],
  ['assurance lookup + its cache, params check', /src\/assurance\/|src\/http\/validate\.ts|src\/sync\.ts|\/zod\//],
  ['our claims/account hooks (findAccount, pairwise)', /src\/oidc\/claims\.ts|src\/persons\/|src\/oidc\/provider\.ts/],
  ['signing (ExternalSigningKey, node:crypto Ed25519)', /src\/oidc\/signing-key\.ts/],
  ['adapters (oidc payloads, clients)', /src\/oidc\/adapters\//],
  ['mount (hand-off to oidc-provider)', /src\/oidc\/mount\.ts/],
  ['oidc-provider', /oidc-provider\//],
  ['jose', /\/jose\//],
  ['Redis client (ioredis)', /ioredis|redis-parser|denque|cluster-key-slot/],
  ['SQL (knex, pg, PGlite)', /\/knex\/|\/pg\/|\/pg-protocol\/|\/pg-pool\/|\/pglite\/|knex-pglite|@electric-sql/],
  ['Koa (context, request/response, JSON body)', /\/koa\/|\/koa-|\/cookies\/|\/keygrip\/|\/content-type\/|\/statuses\/|\/on-finished\/|\/vary\/|\/accepts\/|\/negotiator\/|\/type-is\/|\/mime-|\/fresh\//],
  ['other KYCPort code', /\/src\//],
  ['other packages', /node_modules/],
  ['async_hooks (AsyncLocalStorage promise hooks)', /^node:(internal\/)?async_hooks/],
  ['node http/net/streams + kernel I/O', /^node:(_http|http|net|internal\/(http|net|stream|streams|js_stream|timers|process\/task_queues|dns|url|errors))|^node:(events|stream|timers|url)/],
  ['garbage collection', /^\(garbage collector\)$/],
  ['(program): V8/libuv outside JS', /^\(program\)$/],
];
const IDLE = /^\(idle\)$/;

function partOf(frame: ProfileNode['callFrame']): string | undefined {
  const key = frame.url || (frame.functionName.startsWith('(') ? frame.functionName : '');
  if (!key) return undefined;
  for (const [name, re] of PARTS) if (re.test(key)) return name;
  return undefined;
}

/** The samples taken inside the windows. */
function samplesIn(profile: Profile, windows: [number, number][]): { id: number }[] {
  const out = [];
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (windows.some(([a, b]) => t >= a && t <= b)) out.push({ id: profile.samples[i]! });
  }
  return out;
}

function analyse(profile: Profile, windows: [number, number][]): { parts: Map<string, number>; busy: number; idle: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, string>();
  const charge = (id: number): string => {
    const hit = memo.get(id);
    if (hit) return hit;
    let cur: number | undefined = id;
    let part: string | undefined;
    while (cur !== undefined && !part) {
      part = partOf(byId.get(cur)!.callFrame);
      cur = parent.get(cur);
    }
    const name = part ?? 'unattributed (native, no JS caller)';
    memo.set(id, name);
    return name;
  };
  const parts = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const { id } of samplesIn(profile, windows)) {
    const node = byId.get(id)!;
    if (IDLE.test(node.callFrame.functionName)) {
      idle++;
      continue;
    }
    const name = charge(node.id);
    parts.set(name, (parts.get(name) ?? 0) + 1);
    busy++;
  }
  return { parts, busy, idle };
}

const monoUs = () => Number(process.hrtime.bigint() / 1000n);
const cpuUs = (pid: number) => processCpuUs(pid) ?? NaN;

async function main(): Promise<void> {
  const [what = 'status', kind = 'postgres', secondsArg = '10'] = process.argv.slice(2);
  if (!['status', 'tokens'].includes(what) || !['postgres', 'embedded'].includes(kind)) throw new Error('usage: profile.ts status|tokens postgres|embedded [seconds]');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-prof-'));
  const subject = await startSubject(kind as 'postgres' | 'embedded', ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100']);
  const windows: [number, number][] = [];
  const results: LoadResult[] = [];
  let serverCpuUs = 0;
  const timed = async (run: () => Promise<LoadResult>) => {
    const [a, cpu] = [monoUs(), cpuUs(subject.pid)];
    const r = await run();
    serverCpuUs += cpuUs(subject.pid) - cpu;
    windows.push([a, monoUs()]);
    if (r.errors) throw new Error(`${r.errors} errors; first: ${r.firstError}`);
    results.push(r);
  };
  try {
    const seconds = Number(secondsArg);
    if (what === 'status') {
      const next = () => ({ path: subject.statusPath, headers: subject.statusHeaders });
      await load(subject.op.origin, { connections: 32, durationMs: 2000, next }); // warm-up, not profiled
      await timed(() => load(subject.op.origin, { connections: 32, durationMs: seconds * 1000, next }));
    } else {
      // Warm-up batch, then batches until `seconds` of exchanges were profiled; collecting codes is not profiled.
      let codes = await collectCodes(subject.op, 200);
      await load(subject.op.origin, { connections: 16, durationMs: 60_000, next: tokenRequest(subject.op, codes) });
      while (windows.reduce((n, [a, b]) => n + b - a, 0) < seconds * 1e6) {
        codes = await collectCodes(subject.op, 400);
        await timed(() => load(subject.op.origin, { connections: 16, durationMs: 60_000, next: tokenRequest(subject.op, codes) }));
      }
    }
  } finally {
    await subject.stop();
  }
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Profile;
  fs.rmSync(dir, { recursive: true, force: true });
  const requests = results.reduce((n, r) => n + r.requests, 0);
  const wallUs = windows.reduce((n, [a, b]) => n + b - a, 0);
  const { parts, busy, idle } = analyse(profile, windows);
  const rows = [...parts].sort((a, b) => b[1] - a[1]);
  const perRequest = serverCpuUs / requests;
  const out = [
    `${what} on ${kind}: ${requests} requests in ${(wallUs / 1e6).toFixed(1)} s (${Math.round(requests / (wallUs / 1e6))} req/s under the profiler); ` +
      `server CPU ${perRequest.toFixed(0)} µs/request (${((100 * serverCpuUs) / wallUs).toFixed(0)}% of one core); main thread busy in ${((100 * busy) / (busy + idle)).toFixed(0)}% of ${busy + idle} samples`,
    '',
    '| part | µs/request | % of samples |',
    '|---|---|---|',
    ...rows.map(([name, n]) => `| ${name} | ${((perRequest * n) / busy).toFixed(1)} | ${((100 * n) / busy).toFixed(1)}% |`),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  if (process.env.KYCPORT_PROFILE_TOP) {
    // The hottest self-time frames, for digging further.
    const self = new Map<string, number>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    for (const { id } of samplesIn(profile, windows)) {
      const f = byId.get(id)!.callFrame;
      const k = `${f.functionName || '(anon)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/src\//, 'src/')}:${f.lineNumber + 1}`;
      self.set(k, (self.get(k) ?? 0) + 1);
    }
    const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.KYCPORT_PROFILE_TOP));
    process.stdout.write(`\n${top.map(([k, n]) => `${((perRequest * n) / busy).toFixed(2).padStart(7)} µs  ${k}`).join('\n')}\n`);
  }
  const stacksOf = process.env.KYCPORT_PROFILE_STACKS;
  if (stacksOf) {
    // The callers of one function (by name), with their share of its time.
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const stacks = new Map<string, number>();
    for (const { id } of samplesIn(profile, windows)) {
      if (byId.get(id)!.callFrame.functionName !== stacksOf) continue;
      const frames: string[] = [];
      for (let cur: number | undefined = parent.get(id); cur !== undefined && frames.length < 8; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame;
        frames.push(`${f.functionName || '(anon)'}@${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}`);
      }
      const k = frames.join(' < ');
      stacks.set(k, (stacks.get(k) ?? 0) + 1);
    }
    const top = [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 8);
    process.stdout.write(`\n${top.map(([k, n]) => `${((perRequest * n) / busy).toFixed(2).padStart(7)} µs  ${k}`).join('\n')}\n`);
  }
  process.exit(0);
}

await main();
