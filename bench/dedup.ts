// 1:N face search: in-process usearch HNSW vs exact brute force, and pgvector HNSW on PGlite.
// Synthetic 1024-d unit vectors shaped like faceres descriptors of different people (pairwise cosine ≈ 0.38,
// the measured impostor median); half the queries are re-enrollments of an enrolled face (cosine ≈ 0.7 to it),
// half are new people. Bounded: KYCPORT_BENCH_DEDUP_MAX caps the largest size (default 1,000,000) and
// KYCPORT_BENCH_DEDUP_BUILD_S the build time per index (default 600 s; a capped build reports its real size),
// KYCPORT_BENCH_DEDUP_MIN skips the smaller sizes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exactSearch, MetricKind } from 'usearch';
import { openDatabase } from '../src/db/index.js';
import { migrateLatest } from '../src/db/migrate.js';
import { PgvectorDedupIndex } from '../src/verification/dedup/pgvector.js';
import { PGVECTOR_EF_SEARCH } from '../src/verification/dedup/store.js';
import { EMBEDDING_DIM as D } from '../src/verification/dedup/types.js';
import { newHnsw } from '../src/verification/dedup/usearch.js';
import { center, cosine, meanOf } from '../src/verification/dedup/centering.js';
import type { BenchRow } from './lib/types.js';

const MAX = Number(process.env.KYCPORT_BENCH_DEDUP_MAX ?? 1_000_000);
const BUILD_CAP_MS = Number(process.env.KYCPORT_BENCH_DEDUP_BUILD_S ?? 600) * 1000;
/** Skip sizes below this (re-run just the 1M index: KYCPORT_BENCH_DEDUP_MIN=1000000). */
const MIN = Number(process.env.KYCPORT_BENCH_DEDUP_MIN ?? 0);
const QUERIES = 200;
const CHUNK = 10_000;

/** Deterministic mulberry32 (seed hashed first, so neighbouring seeds give unrelated streams) + Box–Muller. */
function gaussians(seed: number) {
  let s = Math.imul(seed ^ (seed >>> 16), 0x45d9f3b) >>> 0;
  s = Math.imul(s ^ (s >>> 16), 0x45d9f3b) >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function normalise(v: Float32Array, off = 0): void {
  let n = 0;
  for (let i = 0; i < D; i++) n += v[off + i]! ** 2;
  n = Math.sqrt(n);
  for (let i = 0; i < D; i++) v[off + i]! /= n;
}

const mean = (() => {
  const g = gaussians(7);
  const m = Float32Array.from({ length: D }, g);
  normalise(m);
  return m;
})();

/** `count` people starting at `start`: a·mean + noise, a = 0.78 gives pairwise cosine ≈ 0.38. */
function people(start: number, count: number): Float32Array {
  const out = new Float32Array(count * D);
  for (let p = 0; p < count; p++) {
    const g = gaussians(1_000_003 + start + p);
    for (let i = 0; i < D; i++) out[p * D + i] = 0.78 * mean[i]! + g() / Math.sqrt(D);
    normalise(out, p * D);
  }
  return out;
}

/** Query j: a re-enrollment of person j*7919 % n (even j) or a new person (odd j). */
function queries(n: number): { vectors: Float32Array[]; target: number[] } {
  const vectors: Float32Array[] = [];
  const target: number[] = [];
  for (let j = 0; j < QUERIES; j++) {
    if (j % 2 === 0) {
      const who = (j * 7919) % n;
      const v = people(who, 1);
      const g = gaussians(55 + j);
      for (let i = 0; i < D; i++) v[i]! += g() * (1.02 / Math.sqrt(D));
      normalise(v);
      vectors.push(v);
      target.push(who);
    } else {
      vectors.push(people(50_000_000 + j, 1));
      target.push(-1);
    }
  }
  return { vectors, target };
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}
const f = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));

/** Exact top-1 for every query over `n` people, chunk by chunk (SIMD brute force, one thread). */
function exactTop1(n: number, qs: Float32Array[], timed: number): { top: number[]; perQueryMs: number[] } {
  const best = qs.map(() => ({ key: -1, dist: Infinity }));
  const perQueryMs = qs.map(() => 0);
  for (let start = 0; start < n; start += CHUNK) {
    const chunk = people(start, Math.min(CHUNK, n - start));
    qs.forEach((q, j) => {
      if (j >= timed && best[j]!.key >= 0 && start > 0 && j % 2 === 1) return;
      const t0 = process.hrtime.bigint();
      const m = exactSearch(chunk, q, D, 1, MetricKind.Cos, 1) as { keys: BigUint64Array; distances: Float32Array };
      perQueryMs[j]! += ms(t0);
      const d = m.distances[0]!;
      if (d < best[j]!.dist) best[j] = { key: start + Number(m.keys[0]), dist: d };
    });
  }
  return { top: best.map((b) => b.key), perQueryMs: perQueryMs.slice(0, timed) };
}

async function usearchAt(n: number, quant: 'f16' | 'i8'): Promise<BenchRow[]> {
  const index = newHnsw({ quantization: quant });
  const t0 = process.hrtime.bigint();
  // As UsearchDedupIndex does: the mean descriptor of the first batch centres everything the index holds.
  const first = people(0, Math.min(CHUNK, n));
  const mean = meanOf(Array.from({ length: first.length / D }, (_, i) => first.subarray(i * D, (i + 1) * D)));
  let built = 0;
  while (built < n && ms(t0) < BUILD_CAP_MS) {
    const count = Math.min(CHUNK, n - built);
    const vecs = people(built, count);
    const keys = BigUint64Array.from({ length: count }, (_, i) => BigInt(built + i));
    index.add(keys, Array.from({ length: count }, (_, i) => center(vecs.subarray(i * D, (i + 1) * D), mean)), 2);
    built += count;
  }
  const buildS = ms(t0) / 1000;
  const q = queries(built);
  const times: number[] = [];
  const top: number[] = [];
  for (const v of q.vectors) {
    const s = process.hrtime.bigint();
    // Candidates in centred space, re-ranked by raw cosine (production re-reads them from the table).
    const m = index.search(center(v, mean), 9, 1);
    const ranked = Array.from(m.keys, Number).map((k) => ({ k, sim: cosine(v, people(k, 1)) }));
    ranked.sort((a, b) => b.sim - a.sim);
    times.push(ms(s));
    top.push(ranked[0]!.k);
  }
  // Exact baseline: every query at ≤100k; at 1M all 100 re-enrollment queries for recall, 20 timed.
  const timed = built > 100_000 ? 20 : QUERIES;
  const exact = exactTop1(built, q.vectors, timed);
  const dup = q.target.map((t, j) => [t, j] as const).filter(([t]) => t >= 0);
  const recallDup = dup.filter(([, j]) => top[j] === exact.top[j]).length / dup.length;
  const recallAll = built > 100_000 ? null : top.filter((k, j) => k === exact.top[j]).length / top.length;
  const label = `${built >= 1e6 ? `${built / 1e6}M` : `${built / 1000}k`}`;
  const p50 = pct(times, 0.5);
  const e50 = pct(exact.perQueryMs, 0.5);
  const mem = `${Math.round(process.memoryUsage().rss / 2 ** 20)} MB RSS`;
  index.size(); // keep alive until here
  return [
    {
      name: `dedup usearch ${label} search p50 (${quant})`,
      value: `${f(p50)} ms`,
      baseline: `${f(e50)} ms exact`,
      ratio: `${(e50 / p50).toFixed(0)}× faster`,
      note: `${QUERIES} queries, 1 thread${built < n ? `; build capped at ${built} of ${n}` : ''}; exact timed on ${timed}`,
    },
    { name: `dedup usearch ${label} search p95 (${quant})`, value: `${f(pct(times, 0.95))} ms`, baseline: `${f(pct(exact.perQueryMs, 0.95))} ms exact` },
    {
      name: `dedup usearch ${label} recall@1 vs exact`,
      value: `${(recallDup * 100).toFixed(1)}% re-enrollments`,
      ...(recallAll === null ? {} : { baseline: `${(recallAll * 100).toFixed(1)}% all queries` }),
      note: 'all-query recall includes new-person queries whose nearest neighbour is an arbitrary near-tie',
    },
    { name: `dedup usearch ${label} build`, value: `${buildS.toFixed(1)} s`, note: `2 threads, connectivity 16, expansion_add 128, expansion_search 512; ${mem}` },
  ];
}

async function pgvectorAt(n: number): Promise<BenchRow[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-bench-dedup-'));
  const db = await openDatabase({ databaseUrl: undefined, dataDir: dir }, { inMemory: true });
  try {
    await migrateLatest(db);
    await db.knex('persons').insert({ id: 'per_bench', email: 'bench@example.test', password_hash: 'x' });
    // Bulk load first, then build the HNSW index once (inserting into an indexed table took 342 s for 10k).
    await db.knex.raw('drop index face_embeddings_hnsw');
    const t0 = process.hrtime.bigint();
    for (let start = 0; start < n; start += 250) {
      const vecs = people(start, Math.min(250, n - start));
      const rows = Array.from({ length: vecs.length / D }, (_, i) => ({
        person_id: 'per_bench',
        case_id: String(start + i),
        embedding: db.knex.raw('?::vector', [`[${Array.from(vecs.subarray(i * D, (i + 1) * D)).join(',')}]`]),
      }));
      await db.knex('face_embeddings').insert(rows);
    }
    const insertS = ms(t0) / 1000;
    const t1 = process.hrtime.bigint();
    await db.knex.raw('create index face_embeddings_hnsw on face_embeddings using hnsw (embedding vector_cosine_ops)');
    const buildS = ms(t1) / 1000;
    const index = new PgvectorDedupIndex(db.knex);
    const q = queries(n);
    const times: number[] = [];
    const top: number[] = [];
    for (const v of q.vectors) {
      const s = process.hrtime.bigint();
      const [m] = await index.search(v, 1);
      times.push(ms(s));
      top.push(Number(m?.caseId));
    }
    const exact = exactTop1(n, q.vectors, QUERIES);
    const dup = q.target.map((t, j) => [t, j] as const).filter(([t]) => t >= 0);
    const recall = dup.filter(([, j]) => top[j] === exact.top[j]).length / dup.length;
    const label = `${n / 1000}k`;
    return [
      {
        name: `dedup pgvector (PGlite) ${label} search p50`,
        value: `${f(pct(times, 0.5))} ms`,
        baseline: `${f(pct(exact.perQueryMs, 0.5))} ms exact in-process`,
        note: `HNSW vector_cosine_ops, ef_search ${PGVECTOR_EF_SEARCH}; includes SQL round trip`,
      },
      { name: `dedup pgvector (PGlite) ${label} search p95`, value: `${f(pct(times, 0.95))} ms` },
      { name: `dedup pgvector (PGlite) ${label} recall@1 vs exact`, value: `${(recall * 100).toFixed(1)}% re-enrollments` },
      { name: `dedup pgvector (PGlite) ${label} HNSW index build`, value: `${buildS.toFixed(1)} s`, note: `after bulk insert (${insertS.toFixed(1)} s, 250-row batches); m 16, ef_construction 64 (pgvector defaults)` },
    ];
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const n of [10_000, 100_000].filter((x) => x <= MAX && x >= MIN)) rows.push(...(await usearchAt(n, 'f16')));
  if (MAX >= 100_000 && MIN <= 100_000) rows.push(...(await usearchAt(100_000, 'i8')));
  if (MAX >= 1_000_000) rows.push(...(await usearchAt(1_000_000, 'i8')));
  if (process.env.KYCPORT_BENCH_DEDUP_PGVECTOR !== '0' && MIN <= 10_000) rows.push(...(await pgvectorAt(Math.min(10_000, MAX))));
  return rows;
}
