// 1:N dedup on a real database (PGlite by default; Postgres when DATABASE_URL is set). Templates are sealed at
// rest, so every database runs the in-process sketch index (pgvector cannot search sealed data): directly,
// through openDedupIndex below, and end to end in test/verification/cases/flows.test.ts.
// Behaviour specific to the in-process sketch index (catch-up, deletions, restarts, recall) is in sketch-index.test.ts.
// Embeddings are synthetic unit vectors: a near-duplicate is the enrolled vector plus small noise (cosine ≈ 0.95).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseKeys } from '../../../src/crypto/keys.js';
import { dedupCheck, EMBEDDING_DIM, openDedupIndex, SketchDedupIndex, templateBox, type DedupIndex } from '../../../src/verification/dedup/index.js';
import { createFaceDedup } from '../../../src/verification/dedup-adapter.js';
import { LEGACY_DESCRIPTOR } from '../../../src/verification/dedup/types.js';
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

/** The default descriptor's face.match review threshold, where 1:N flags another person. */
const flagAt = thresholds.face.match.review;
const key = () => caseKeys(deps.config, deps.config.secretKey!).encryption;
const impls: Array<[string, () => Promise<DedupIndex>]> = [
  ['sketch', () => SketchDedupIndex.open(deps.db.knex, templateBox(key()))],
  ['openDedupIndex (the app\'s choice)', () => openDedupIndex(deps.db, key())],
];

describe('openDedupIndex', () => {
  it('opens the in-process sketch index over sealed templates on every database', async () => {
    expect((await openDedupIndex(deps.db, key())).kind).toBe('sketch');
  });
});

describe.each(impls)('%s index', (_kind, open) => {
  it('finds an enrolled near-duplicate, ignores unrelated faces, forgets removed persons', async () => {
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
    expect(hits[0]!.similarity).toBeGreaterThan(thresholds.face.match.review);
    const check = dedupCheck(hits, await person(), flagAt);
    expect(check).toMatchObject({ passed: false, code: 'possible_duplicate' });
    expect(JSON.stringify(check)).not.toContain(alice); // never leaks another person's id
    expect(dedupCheck(hits, alice, flagAt).passed).toBe(true); // re-verification of the same person

    const unrelated = await index.search(randomFace(), 3);
    expect(unrelated[0]!.similarity).toBeLessThan(thresholds.face.match.review);
    expect(dedupCheck(unrelated, await person(), flagAt)).toMatchObject({ passed: true });

    await index.remove(alice);
    expect((await index.search(aliceFace, 5)).map((m) => m.personId)).not.toContain(alice);
    await index.remove(bob);
  });

  it('rejects embeddings longer than 1024 dimensions or empty', async () => {
    const index = await open();
    await expect(index.search(new Float32Array(EMBEDDING_DIM + 1), 1)).rejects.toThrow(/1 to 1024 dimensions/);
    await expect(index.search(new Float32Array(0), 1)).rejects.toThrow(/1 to 1024 dimensions/);
  });
});

describe('descriptors (createFaceDedup)', () => {
  it('searches only the templates of the same descriptor; shorter descriptors are zero-padded', async () => {
    const dedup = createFaceDedup(deps.db, key());
    const small = (v: Float32Array) => unit(Array.from(v.subarray(0, 128)));
    const face = randomFace();
    const [a, b] = [await person(), await person()];
    await deps.db.knex.transaction(async (trx) => {
      await dedup.enroll(trx, { personId: a, caseId: 'case_128', descriptor: 'test-128d', embedding: small(face) });
      await dedup.enroll(trx, { personId: b, caseId: 'case_1024', descriptor: LEGACY_DESCRIPTOR, embedding: face });
    });
    const [hit] = await dedup.search('test-128d', small(nearDuplicate(face, 0.05)), 1);
    expect(hit).toMatchObject({ personId: a, caseId: 'case_128' });
    expect(hit!.similarity).toBeGreaterThan(0.95);
    // Another model's template of the same face is not comparable, so never returned.
    expect((await dedup.search(LEGACY_DESCRIPTOR, face, 5)).map((m) => m.personId)).not.toContain(a);
    expect((await dedup.search('test-128d', small(face), 5)).map((m) => m.personId)).not.toContain(b);
    await deps.db.knex('persons').whereIn('id', [a, b]).delete();
  });
});
