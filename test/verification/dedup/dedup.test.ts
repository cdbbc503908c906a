// 1:N dedup on a real database (PGlite with pgvector by default; Postgres without pgvector when DATABASE_URL is set).
// Which index runs where: the app opens pgvector when the embedding column is a vector (PGlite bundles pgvector)
// and the in-process sketch index otherwise. The Postgres runs here use Debian's Postgres 15, which has no pgvector
// package, so there the column is real[]: the pgvector cases skip (they run on PGlite) and the app's own path,
// the sketch index, is what gets tested — directly, through openDedupIndex below, and end to end in
// test/verification/cases/flows.test.ts. sketch-index.test.ts runs fully on both databases.
// Behaviour specific to the in-process sketch index (catch-up, deletions, restarts, recall) is in sketch-index.test.ts.
// Embeddings are synthetic unit vectors: a near-duplicate is the enrolled vector plus small noise (cosine ≈ 0.95).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedupCheck, EMBEDDING_DIM, openDedupIndex, PgvectorDedupIndex, SketchDedupIndex, type DedupIndex } from '../../../src/verification/dedup/index.js';
import { embeddingColumnType } from '../../../src/verification/dedup/store.js';
import { thresholds } from '../../../src/verification/thresholds.js';
import { createTestDeps, type TestDeps } from '../../support/deps.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const rand = rng(42);
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
function unit(v: number[]): Float32Array {
  const n = Math.hypot(...v);
  return Float32Array.from(v, (x) => x / n);
}
const randomFace = () => unit(Array.from({ length: EMBEDDING_DIM }, gauss));
const nearDuplicate = (e: Float32Array, noise = 0.33) => unit(Array.from(e, (x) => x + (noise / Math.sqrt(EMBEDDING_DIM)) * gauss()));

let deps: TestDeps;
let n = 0;
async function person(): Promise<string> {
  const id = `per_dedup_${++n}`;
  await deps.db.knex('persons').insert({ id, email: `${id}@example.test`, password_hash: 'x' });
  return id;
}

beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(() => deps.cleanup());

const impls: Array<[string, () => Promise<DedupIndex>]> = [
  ['sketch', () => SketchDedupIndex.open(deps.db.knex)],
  ['pgvector', async () => new PgvectorDedupIndex(deps.db.knex)],
  ['openDedupIndex (the app\'s choice)', () => openDedupIndex(deps.db)],
];

const hasVectorColumn = async () => (await embeddingColumnType(deps.db.knex)) === 'vector';
/** pgvector needs a vector column; Postgres here has no pgvector extension (see the top of this file). */
async function skipWithoutPgvector(kind: string, ctx: { skip(condition: boolean, note?: string): void }): Promise<void> {
  if (kind === 'pgvector') ctx.skip(!(await hasVectorColumn()), 'no pgvector on this Postgres: the column is real[]');
}

describe('openDedupIndex', () => {
  it('opens pgvector on a vector column and the in-process sketch index on real[] (Postgres without pgvector)', async () => {
    const index = await openDedupIndex(deps.db);
    expect(index.kind).toBe((await hasVectorColumn()) ? 'pgvector' : 'sketch');
  });
});

describe.each(impls)('%s index', (kind, open) => {
  it('finds an enrolled near-duplicate, ignores unrelated faces, forgets removed persons', async (ctx) => {
    await skipWithoutPgvector(kind, ctx);
    const index = await open();
    const alice = await person();
    const bob = await person();
    const aliceFace = randomFace();
    await deps.db.knex.transaction(async (trx) => {
      await index.enroll(trx, { personId: alice, caseId: 'case_a', embedding: aliceFace });
      await index.enroll(trx, { personId: bob, caseId: 'case_b', embedding: randomFace() });
    });

    const hits = await index.search(nearDuplicate(aliceFace), 3);
    expect(hits[0]).toMatchObject({ personId: alice, caseId: 'case_a' });
    expect(hits[0]!.similarity).toBeGreaterThan(thresholds.dedup.strongMatch);
    const check = dedupCheck(hits, await person());
    expect(check).toMatchObject({ passed: false, code: 'possible_duplicate' });
    expect(JSON.stringify(check)).not.toContain(alice); // never leaks another person's id
    expect(dedupCheck(hits, alice).passed).toBe(true); // re-verification of the same person

    const unrelated = await index.search(randomFace(), 3);
    expect(unrelated[0]!.similarity).toBeLessThan(thresholds.dedup.candidate);
    expect(dedupCheck(unrelated, await person())).toMatchObject({ passed: true });

    await index.remove(alice);
    expect((await index.search(aliceFace, 5)).map((m) => m.personId)).not.toContain(alice);
    await index.remove(bob);
  });

  it('rejects embeddings of the wrong size', async (ctx) => {
    await skipWithoutPgvector(kind, ctx);
    const index = await open();
    await expect(index.search(new Float32Array(10), 1)).rejects.toThrow(/1024 dimensions/);
  });
});
