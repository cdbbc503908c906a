// Verification: decide latency (p50/p95 after warm-up, sequential, server with 2 engine workers) and status-lookup
// throughput while 4 cases are being decided, as a ratio to idle status throughput in the same run.
// KYCPort runs as a child process (src/main.ts on Postgres + Redis); uploads happen before timing starts.
import sharp from 'sharp';
import { openDatabase } from '../src/db/index.js';
import { createPerson } from '../src/persons/service.js';
import { personStore } from '../src/persons/store.js';
import { importListFile } from '../src/screening/index.js';
import { createApiKey, createTenant } from '../src/tenants/service.js';
import { FTM_FIXTURE } from '../test/fixtures/screening/index.js';
import { generatePassport } from '../test/support/documents/index.js';
import { personA } from '../test/verification/engine/face/samples.js';
import { fmt, load, percentile } from './lib/load.js';
import { servicesAvailable, startKycport, type KycportProcess } from './lib/services.js';
import type { BenchRow } from './lib/types.js';

const WARMUP = 2;
const MEASURED = 10;
const CONCURRENT = 4;

interface Ctx {
  kp: KycportProcess;
  tenantId: string;
  auth: { authorization: string };
  selfie: Buffer;
  passport: Buffer;
  n: number;
}

async function newSubject(c: Ctx): Promise<string> {
  const { id } = await createPerson(c.kp.db, { email: `bench${++c.n}.${Date.now()}@example.com`, password: 'correct horse battery', emailVerified: true });
  // The pairwise sub is normally recorded at the person's first sign-in to the tenant; the bench records it directly.
  const sub = `psn_bench_${c.n}_${Date.now()}`;
  await personStore.upsertSubject(c.kp.db, { tenant_id: c.tenantId, person_id: id, sub });
  return sub;
}

/**
 * A t2 case with passport + selfie uploaded, ready to decide. All cases belong to one person (re-verifications),
 * so they exercise the approval path instead of turning into duplicates of each other.
 */
async function uploadedCase(c: Ctx, sub: string): Promise<string> {
  const res = await fetch(`${c.kp.url}/api/v1/verification/cases/`, {
    method: 'POST',
    headers: { ...c.auth, 'content-type': 'application/json' },
    body: JSON.stringify({ person_id: sub, level: 't2' }),
  });
  const { id } = (await res.json()) as { id: string };
  const doc = c.passport;
  const form = new FormData();
  form.append('document', new Blob([new Uint8Array(doc)]), 'd.jpg');
  form.append('selfie', new Blob([new Uint8Array(c.selfie)]), 's.jpg');
  const up = await fetch(`${c.kp.url}/api/v1/verification/cases/${id}/upload/`, { method: 'POST', headers: c.auth, body: form });
  if (up.status !== 200) throw new Error(`upload failed: ${up.status} ${await up.text()}`);
  return id;
}

async function decide(c: Ctx, id: string): Promise<{ ms: number; outcome: string }> {
  const t0 = performance.now();
  const res = await fetch(`${c.kp.url}/api/v1/verification/cases/${id}/decide/`, { method: 'POST', headers: c.auth });
  const body = (await res.json()) as { outcome?: string; error?: string };
  if (res.status !== 200) throw new Error(`decide failed: ${res.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - t0, outcome: body.outcome! };
}

export async function run(): Promise<BenchRow[]> {
  if (!(await servicesAvailable())) return [{ name: 'verification', value: 'skipped', note: 'Postgres/Redis not reachable' }];
  const kp = await startKycport({ VERIFICATION_WORKERS: process.env.BENCH_VERIFICATION_WORKERS ?? '1' });
  try {
    const db = await openDatabase({ databaseUrl: kp.env.DATABASE_URL, dataDir: kp.dataDir });
    await importListFile(db, FTM_FIXTURE).finally(() => db.close());
    const tenant = await createTenant(kp.db, 'Bench Bank');
    const key = await createApiKey(kp.db, { tenantId: tenant.tenant_id });
    const selfie = await sharp(await personA.find((s) => s.id === 'grid-0-15')!.load()).jpeg({ quality: 92 }).toBuffer();
    const c: Ctx = { kp, tenantId: tenant.tenant_id, auth: { authorization: `Bearer ${key.api_key}` }, selfie, passport: (await generatePassport({ portrait: 'personA_webcam' })).image, n: 0 };

    // Sequential decide latency, after warm-up decides (first inference per worker is slower).
    const times: number[] = [];
    const outcomes = new Map<string, number>();
    const sub = await newSubject(c);
    for (let i = 0; i < WARMUP + MEASURED; i++) {
      const id = await uploadedCase(c, sub);
      const r = await decide(c, id);
      if (i >= WARMUP) {
        times.push(r.ms);
        outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
      }
    }
    times.sort((a, b) => a - b);

    // Status throughput: idle, then while CONCURRENT decides run.
    const statusSub = await newSubject(c);
    const spec = () => ({ path: `/api/v1/kyc/${statusSub}/status`, headers: c.auth });
    await load(kp.url, { connections: 16, durationMs: 2000, next: spec });
    const idle = await load(kp.url, { connections: 16, durationMs: 8000, next: spec });
    const ids = await Promise.all(Array.from({ length: CONCURRENT }, () => uploadedCase(c, sub)));
    let deciding = true;
    const started = performance.now();
    const decides = Promise.all(ids.map((id) => decide(c, id))).finally(() => (deciding = false));
    const busy = await load(kp.url, { connections: 16, durationMs: 120_000, next: () => (deciding ? spec() : undefined) });
    const batch = await decides;
    const batchSeconds = (performance.now() - started) / 1000;

    const outcomeNote = [...outcomes].map(([o, n]) => `${n}× ${o}`).join(', ');
    return [
      {
        name: `decide latency, t2 passport + selfie (${MEASURED} sequential after ${WARMUP} warm-up, ${kp.env.VERIFICATION_WORKERS} engine worker(s))`,
        value: `p50 ${(percentile(times, 50) / 1000).toFixed(2)} s, p95 ${(percentile(times, 95) / 1000).toFixed(2)} s`,
        target: { goal: 'decide p50 ≤ 1.5 s', measured: `${(percentile(times, 50) / 1000).toFixed(2)} s`, met: percentile(times, 50) <= 1500 },
        note: `target p50 ≤ 1.5 s; outcomes: ${outcomeNote}; includes face match + liveness in the pool, screening, dedup, DB transaction`,
      },
      {
        name: `status lookups while ${CONCURRENT} cases are decided (16 conns)`,
        value: fmt.rps(busy),
        baseline: `idle: ${fmt.rps(idle)}`,
        ratio: fmt.ratio(busy.rps, idle.rps),
        target: { goal: `status throughput while ${CONCURRENT} cases are decided ≥ 0.70× idle`, measured: fmt.ratio(busy.rps, idle.rps), met: busy.rps >= 0.7 * idle.rps },
        note: `target ≥ 0.70×; VERIFICATION_BUSY_SHARE ${kp.env.VERIFICATION_BUSY_SHARE ?? 'default 0.4'}; ${CONCURRENT} decides took ${batchSeconds.toFixed(1)} s together (${batch.map((b) => b.outcome).join(', ')}); errors ${busy.errors}/${idle.errors}`,
      },
    ];
  } finally {
    await kp.stop();
  }
}
