// 1:N dedup on a real database (PGlite with pgvector by default; Postgres without pgvector when DATABASE_URL is set).
// Embeddings are synthetic unit vectors: a near-duplicate is the enrolled vector plus small noise (cosine ≈ 0.95).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedupCheck, EMBEDDING_DIM, PgvectorDedupIndex, UsearchDedupIndex, type DedupIndex } from '../../../src/verification/dedup/index.js';
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
  ['usearch', () => UsearchDedupIndex.open(deps.db.knex)],
  ['pgvector', async () => new PgvectorDedupIndex(deps.db.knex)],
];

describe.each(impls)('%s index', (kind, open) => {
  it('finds an enrolled near-duplicate, ignores unrelated faces, forgets removed persons', async (ctx) => {
    if (kind === 'pgvector' && (await embeddingColumnType(deps.db.knex)) !== 'vector') ctx.skip();
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
    expect(check).toMatchObject({ passed: false, code: 'duplicate_face' });
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
    if (kind === 'pgvector' && (await embeddingColumnType(deps.db.knex)) !== 'vector') ctx.skip();
    const index = await open();
    await expect(index.search(new Float32Array(10), 1)).rejects.toThrow(/1024 dimensions/);
  });
});

describe('usearch index shared by several processes', () => {
  it('catches up on rows enrolled and deleted by another process, including late commits below its high-water mark', async () => {
    const first = await UsearchDedupIndex.open(deps.db.knex);
    const second = await UsearchDedupIndex.open(deps.db.knex);
    const carol = await person();
    const carolFace = randomFace();
    await deps.db.knex.transaction((trx) => first.enroll(trx, { personId: carol, caseId: null, embedding: carolFace }));
    expect((await second.search(nearDuplicate(carolFace), 1))[0]?.personId).toBe(carol);

    // A later id commits first: the earlier id must still be picked up when it appears.
    const { max } = (await deps.db.knex('face_embeddings').max('id as max').first()) as { max: number };
    const dave = await person();
    const erin = await person();
    const daveFace = randomFace();
    const erinFace = randomFace();
    const storage = await embeddingColumnType(deps.db.knex);
    const value = (e: Float32Array) => (storage === 'vector' ? deps.db.knex.raw('?::vector', [`[${Array.from(e).join(',')}]`]) : Array.from(e));
    await deps.db.knex('face_embeddings').insert({ id: Number(max) + 2, person_id: erin, embedding: value(erinFace) });
    expect((await second.search(erinFace, 1))[0]?.personId).toBe(erin);
    await deps.db.knex('face_embeddings').insert({ id: Number(max) + 1, person_id: dave, embedding: value(daveFace) });
    expect((await second.search(daveFace, 1))[0]?.personId).toBe(dave);

    await first.remove(carol);
    expect((await second.search(carolFace, 5)).map((m) => m.personId)).not.toContain(carol);
  });
});
