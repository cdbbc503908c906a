// The in-process sketch index over sealed face templates on a real database (every database: PGlite, Postgres).
// Faces are synthetic, face-like descriptors (test/verification/dedup/faces.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dedupCheck } from '../../../src/verification/dedup/index.js';
import { SketchDedupIndex } from '../../../src/verification/dedup/sketch-index.js';
import { caseKeys } from '../../../src/crypto/keys.js';
import { templateBox, type TemplateBox } from '../../../src/verification/dedup/templates.js';
import { sketchOf } from '../../../src/verification/dedup/sketch.js';
import { decodeFloat4Array } from '../../../src/verification/dedup/store.js';
import { LEGACY_DESCRIPTOR } from '../../../src/verification/dedup/types.js';
import { thresholds } from '../../../src/verification/thresholds.js';
import { createTestDeps, type TestDeps } from '../../support/deps.js';
import { atCosine, face } from './faces.js';

let deps: TestDeps;
const MIN_ROWS = 200;
/** person id → enrolled descriptor */
const enrolled = new Map<string, Float32Array>();
let box: TemplateBox;
const open = (rerank?: number, withBox = box) => SketchDedupIndex.open(deps.db.knex, withBox, { minRowsForMean: MIN_ROWS, ...(rerank ? { rerank } : {}) });

/** The real box, counting how many sealed templates (not sketches) it opens. */
function countingBox(): { box: TemplateBox; templatesOpened: () => number } {
  let opened = 0;
  return {
    box: { ...box, open: (personId, sealed) => (opened++, box.open(personId, sealed)) },
    templatesOpened: () => opened,
  };
}

async function persons(from: number, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `per_sk_${from + i}`);
  for (let i = 0; i < ids.length; i += 500) {
    await deps.db.knex('persons').insert(ids.slice(i, i + 500).map((id) => ({ id, email: `${id}@example.test`, password_hash: 'x' })));
  }
  return ids;
}

async function enrollFaces(index: SketchDedupIndex, from: number, count: number): Promise<void> {
  const ids = await persons(from, count);
  await deps.db.knex.transaction(async (trx) => {
    for (const [i, personId] of ids.entries()) {
      const embedding = face(from + i);
      await index.enroll(trx, { personId, caseId: `case_${from + i}`, embedding });
      enrolled.set(personId, embedding);
    }
  });
}

/** A row written without going through this index, as another process would. */
async function insertSealed(personId: string, embedding: Float32Array, id?: number): Promise<void> {
  await deps.db.knex('face_embeddings').insert({ ...(id ? { id } : {}), person_id: personId, descriptor: LEGACY_DESCRIPTOR, template: box.seal(personId, embedding) });
}

/** A row as a release before 0070 wrote it: the descriptor in plain (vector or real[]), no template. */
async function insertPlain(personId: string, embedding: Float32Array): Promise<void> {
  const { rows } = await deps.db.knex.raw<{ rows: { udt_name: string }[] }>(
    `select udt_name from information_schema.columns where table_name = 'face_embeddings' and column_name = 'embedding' and table_schema = current_schema()`,
  );
  const value = rows[0]!.udt_name === 'vector' ? deps.db.knex.raw('?::vector', [`[${Array.from(embedding).join(',')}]`]) : Array.from(embedding);
  await deps.db.knex('face_embeddings').insert({ person_id: personId, descriptor: LEGACY_DESCRIPTOR, embedding: value });
}

const storedMean = async () => {
  const row = await deps.db.knex('face_dedup_mean').select(deps.db.knex.raw('array_send(mean) as m')).first();
  return row ? decodeFloat4Array(row.m) : undefined;
};
const withoutSketch = async () => Number((await deps.db.knex('face_embeddings').whereNull('sketch').count('* as n').first())!.n);
const unsealed = async () => Number((await deps.db.knex('face_embeddings').where((w) => void w.whereNull('template').orWhereNotNull('embedding')).count('* as n').first())!.n);

beforeAll(async () => {
  deps = await createTestDeps();
  box = templateBox(caseKeys(deps.config, deps.config.secretKey!).encryption);
});
afterAll(() => deps.cleanup());

describe('sketch index', () => {
  it('fixes one centring mean from the first rows, shared by every process; stores templates and sketches sealed', async () => {
    const first = await open();
    expect(first.kind).toBe('sketch');
    await enrollFaces(first, 0, MIN_ROWS - 50);
    const [p0, p1] = [...enrolled.keys()];
    expect((await first.search(enrolled.get(p0!)!, 1))[0]?.personId).toBe(p0);
    expect(await storedMean()).toBeUndefined(); // too few rows: raw sketches, in memory only
    expect(await withoutSketch()).toBe(MIN_ROWS - 50);

    await enrollFaces(first, MIN_ROWS - 50, 100);
    expect((await first.search(atCosine(enrolled.get(p1!)!, 0.8, 1), 1))[0]?.personId).toBe(p1);
    const mean = await storedMean();
    expect(mean).toHaveLength(1024);
    expect(await withoutSketch()).toBe(0); // the rows from before the mean were sketched with it and stored

    const second = await open();
    const q = atCosine(enrolled.get(p0!)!, 0.75, 2);
    expect(await second.search(q, 5)).toEqual(await first.search(q, 5));
    await enrollFaces(second, MIN_ROWS + 50, 1);
    expect(await storedMean()).toEqual(mean);

    // At rest: no plain descriptor, and neither the sealed template nor the sealed sketch is a copy of the face.
    const row = await deps.db.knex('face_embeddings').where({ person_id: p0 }).first();
    expect(row.embedding).toBeNull();
    const template = Buffer.from(row.template);
    const plain = enrolled.get(p0!)!;
    expect(template.includes(Buffer.from(plain.buffer, plain.byteOffset, 64))).toBe(false);
    expect(box.open(p0!, template)).toEqual(plain);
    // Bound to its person: moved to another person's row, it does not open.
    expect(() => box.open(p1!, template)).toThrow();
    expect(() => templateBox(Buffer.alloc(32, 7)).open(p0!, template)).toThrow(Error);
    const sketch = Buffer.from(row.sketch);
    const clear = Buffer.from(sketchOf(plain, mean));
    expect(sketch).toHaveLength(157);
    expect(sketch.equals(clear)).toBe(false);
    for (let i = 0; i < 128; i += 16) expect(sketch.includes(clear.subarray(i, i + 16))).toBe(false);
    expect(Buffer.from(box.openSketch(p0!, sketch))).toEqual(clear);
    expect(() => box.openSketch(p1!, sketch)).toThrow();
    expect(() => box.open(p0!, sketch)).toThrow(); // a sketch does not open as a template, nor the reverse
    expect(() => box.openSketch(p0!, template)).toThrow();
    // Enrolled by a process that knows the mean: the sealed sketch is written with the template.
    const late = await deps.db.knex('face_embeddings').where({ person_id: `per_sk_${MIN_ROWS + 50}` }).first();
    expect(Buffer.from(box.openSketch(late.person_id, late.sketch))).toEqual(Buffer.from(sketchOf(face(MIN_ROWS + 50), mean)));
    expect(await unsealed()).toBe(0);
  });

  it('seals the plain descriptors an older release stored when it opens, and finds them', async () => {
    const [old1, old2] = await persons(30_000, 2);
    await insertPlain(old1!, face(30_000));
    await insertPlain(old2!, face(30_001));
    expect(await unsealed()).toBe(2);
    const index = await open();
    expect(await unsealed()).toBe(0);
    expect(await withoutSketch()).toBe(0);
    expect((await index.search(atCosine(face(30_000), 0.8, 9), 1))[0]?.personId).toBe(old1);
    enrolled.set(old1!, face(30_000));
    enrolled.set(old2!, face(30_001));
  });

  // Seals and sketches 1,800 faces, then opens 2,000 sealed sketches: a loaded 2-core machine needs time.
  it('finds a re-enrolment among 2,000 unrelated faces at 0.70 and at exactly the duplicate threshold', { timeout: 300_000 }, async () => {
    const bulk = await open();
    await enrollFaces(bulk, MIN_ROWS + 51, 2000 - enrolled.size);
    // No re-rank slack: the Hamming ranking alone must put the duplicate first among 2,000.
    const index = await open(1);
    expect(index.size).toBe(2000);
    const flagAt = thresholds.face.match.review;
    const targets = [...enrolled.keys()].filter((_, i) => i % 100 === 7);
    for (const [j, personId] of targets.entries()) {
      for (const c of [0.7, flagAt]) {
        const [top] = await index.search(atCosine(enrolled.get(personId)!, c, 100 + j), 5);
        expect(top?.personId).toBe(personId);
        expect(top!.similarity).toBeCloseTo(c, 4);
      }
    }
    const atThreshold = await index.search(atCosine(enrolled.get(targets[0]!)!, flagAt + 1e-4, 3), 5);
    expect(dedupCheck(atThreshold, 'per_someone_else', flagAt)).toMatchObject({ passed: false, code: 'possible_duplicate', details: { candidates: 1 } });
    const below = await index.search(atCosine(enrolled.get(targets[1]!)!, flagAt - 0.01, 4), 5);
    expect(below[0]?.personId).toBe(targets[1]);
    expect(dedupCheck(below, 'per_someone_else', flagAt)).toMatchObject({ passed: true, details: { candidates: 0 } });
  });

  it('loads only the sealed sketches at start, and finds a re-enrolled face with them', { timeout: 300_000 }, async () => {
    const { box: counting, templatesOpened } = countingBox();
    const fresh = await open(undefined, counting);
    expect(fresh.size).toBe(enrolled.size);
    expect(templatesOpened()).toBe(0);
    const target = [...enrolled.keys()][1234]!;
    const [top] = await fresh.search(atCosine(enrolled.get(target)!, 0.7, 77), 5);
    expect(top?.personId).toBe(target);
    expect(templatesOpened()).toBeLessThanOrEqual(64); // the re-rank: only the shortlist's templates
  });

  it('backfills the sketches of rows stored without one (as before migration 0090) from their templates, once', { timeout: 300_000 }, async () => {
    const ids = (await deps.db.knex('face_embeddings').select('id').orderBy('id')).map((r) => Number(r.id)).filter((_, i) => i % 3 === 0);
    const stored = new Map(
      (await deps.db.knex('face_embeddings').select('id', 'person_id', 'sketch').whereIn('id', ids)).map((r) => [Number(r.id), Buffer.from(box.openSketch(r.person_id, r.sketch))]),
    );
    await deps.db.knex('face_embeddings').whereIn('id', ids).update({ sketch: null });
    const first = countingBox();
    const index = await open(undefined, first.box);
    expect(first.templatesOpened()).toBe(ids.length);
    expect(await withoutSketch()).toBe(0);
    const refilled = await deps.db.knex('face_embeddings').select('id', 'person_id', 'sketch').whereIn('id', ids);
    for (const r of refilled) expect(Buffer.from(box.openSketch(r.person_id, r.sketch))).toEqual(stored.get(Number(r.id)));
    const again = countingBox();
    const next = await open(undefined, again.box);
    expect(again.templatesOpened()).toBe(0);
    const target = refilled[5]!.person_id as string;
    for (const i of [index, next]) expect((await i.search(atCosine(enrolled.get(target)!, 0.7, 78), 1))[0]?.personId).toBe(target);
  });

  // Opens the index (2,000 sealed sketches) several times: a loaded 2-core machine needs time.
  it('never returns deleted rows, whether deleted here or by another process', { timeout: 300_000 }, async () => {
    const [gone, removed] = [...enrolled.keys()].slice(10, 12);
    const index = await open();
    expect((await index.search(enrolled.get(gone!)!, 1))[0]?.personId).toBe(gone);
    await deps.db.knex('face_embeddings').where({ person_id: gone }).delete(); // another process
    await index.remove(removed!);
    for (const p of [gone!, removed!]) {
      expect((await index.search(enrolled.get(p)!, 50)).map((m) => m.personId)).not.toContain(p);
      expect((await (await open()).search(enrolled.get(p)!, 50)).map((m) => m.personId)).not.toContain(p);
    }
    expect(index.size).toBe(enrolled.size - 2);
    enrolled.delete(gone!);
    enrolled.delete(removed!);
  });

  it('finds rows enrolled by another process, including late commits below its high-water mark', async () => {
    const first = await open();
    const second = await open();
    await enrollFaces(first, 10_000, 1);
    expect((await second.search(atCosine(enrolled.get('per_sk_10000')!, 0.8, 5), 1))[0]?.personId).toBe('per_sk_10000');

    // A later id commits first: the earlier id must still be picked up when it appears.
    const { max } = (await deps.db.knex('face_embeddings').max('id as max').first()) as { max: number };
    const [dave, erin] = await persons(10_001, 2);
    const [daveFace, erinFace] = [face(10_001), face(10_002)];
    await insertSealed(erin!, erinFace, Number(max) + 2);
    expect((await second.search(erinFace, 1))[0]?.personId).toBe(erin);
    await insertSealed(dave!, daveFace, Number(max) + 1);
    expect((await second.search(daveFace, 1))[0]?.personId).toBe(dave);
    expect(await withoutSketch()).toBe(0); // rows written without a sketch get one when caught up
    enrolled.set(dave!, daveFace);
    enrolled.set(erin!, erinFace);
    await deps.db.knex.raw(`select setval(pg_get_serial_sequence('face_embeddings', 'id'), (select max(id) from face_embeddings))`);
    expect(await unsealed()).toBe(0);
  });

  it('never sees an enrolment whose transaction rolled back', async () => {
    const index = await open();
    const [ghost, after] = await persons(20_000, 2);
    const ghostFace = face(20_000);
    await expect(
      deps.db.knex.transaction(async (trx) => {
        await index.enroll(trx, { personId: ghost!, caseId: null, embedding: ghostFace });
        throw new Error('approval failed');
      }),
    ).rejects.toThrow('approval failed');
    expect((await index.search(ghostFace, 5)).map((m) => m.personId)).not.toContain(ghost);
    await deps.db.knex.transaction((trx) => index.enroll(trx, { personId: after!, caseId: null, embedding: face(20_001) }));
    expect((await index.search(face(20_001), 1))[0]?.personId).toBe(after);
    expect((await index.search(ghostFace, 5)).map((m) => m.personId)).not.toContain(ghost);
  });

  // Opens the index (2,000 sealed sketches) twice: a loaded 2-core machine needs time.
  it('gives the same results after a restart', { timeout: 300_000 }, async () => {
    const before = await open();
    const queries = [...enrolled.values()].slice(0, 30).map((v, i) => atCosine(v, 0.7, 300 + i));
    const expected = await Promise.all(queries.map((q) => before.search(q, 5)));
    const after = await open();
    expect(after.size).toBe(before.size);
    expect(await Promise.all(queries.map((q) => after.search(q, 5)))).toEqual(expected);
  });
});
