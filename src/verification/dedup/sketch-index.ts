// The 1:N face index on every database: face_embeddings holds each descriptor and its 1024-bit sketch (sketch.ts),
// both sealed (templates.ts). Each server process reads and opens the sealed sketches at start (157 bytes a face,
// not the 4 KB templates), keeps them in memory (sketch-set.ts, 128 bytes per face), finds the nearest ones by an
// exact Hamming scan, and re-ranks them by exact cosine on the descriptors read back from the table and opened.
// (pgvector cannot search sealed templates.) An approximate graph (HNSW) missed most re-enrolled faces at scale; an
// exact scan cannot miss a face for being hard to navigate to, so recall does not decay with N (bench/RESULTS.md,
// Notes).
//
// A stored sketch is always centred by the stored mean (centering.ts). Rows without one (enrolled before the mean
// was fixed, or before sketches were stored: migration 0090) are sketched from their templates when loaded, and
// the sealed sketch is written back, so each such row is opened in full once.
//
// Several processes can share one database, so before every search the index catches up on rows other processes
// enrolled (ids above its high-water mark), and hits are confirmed against the table so rows deleted elsewhere
// never come back.
import type { Knex } from 'knex';
import type { Queryable } from '../../db/index.js';
import { cosine, meanOf, MIN_ROWS_FOR_MEAN } from './centering.js';
import { sketchOf } from './sketch.js';
import { SketchSet, type SketchSetOptions } from './sketch-set.js';
import { deleteByPerson, firstTemplates, hasRows, insertTemplate, plainRows, readMean, sealRows, sketchesAfter, storeMean, storeSketches, templatesById } from './store.js';
import type { TemplateBox } from './templates.js';
import { checkEmbedding, LEGACY_DESCRIPTOR, type DedupIndex, type DedupMatch, type Enrollment } from './types.js';

/** Rows are read this many at a time (about 200 bytes each with a stored sketch, 4 KB when the template is read). */
const BATCH = 2000;
/**
 * Ids are taken at insert but become visible at commit, so a lower id can appear after a higher one was seen.
 * Missing ids below the high-water mark are re-checked until this old (longer than any enrollment transaction;
 * rolled-back inserts leave permanent gaps).
 */
const GAP_TTL_MS = 10 * 60_000;
/**
 * Nearest sketches re-ranked by exact cosine. The sketch only shortlists; 64 rows are one cheap read back from
 * Postgres and hold a face at the candidate similarity well inside the shortlist at 1M (bench/RESULTS.md, Notes).
 */
export const RERANK = 64;

export interface SketchIndexOptions {
  /** The descriptor whose templates this index holds (default: LEGACY_DESCRIPTOR). */
  descriptor?: string;
  /** Enrolled rows before the centring mean is fixed (centering.ts; tests lower it). */
  minRowsForMean?: number;
  rerank?: number;
  now?: () => number;
  /** Scan threads and the size from which they are used (sketch-set.ts). */
  scan?: SketchSetOptions;
}

export class SketchDedupIndex implements DedupIndex {
  readonly kind = 'sketch' as const;
  readonly descriptor: string;
  private readonly set: SketchSet;
  private highWater = 0;
  private readonly gaps = new Map<number, number>(); // id → first noticed (ms)
  /** Everything that reads or changes `set` runs in turn (a scan on the threads must not see rows move). */
  private serial: Promise<unknown> = Promise.resolve();
  /** The stored centring mean; undefined until fixed (sketches of raw descriptors, kept in memory only). */
  private mean: Float32Array | undefined;
  private readonly minRowsForMean: number;
  private readonly rerank: number;
  private readonly now: () => number;

  private constructor(
    private readonly db: Knex,
    private readonly box: TemplateBox,
    opts: SketchIndexOptions,
  ) {
    this.descriptor = opts.descriptor ?? LEGACY_DESCRIPTOR;
    this.minRowsForMean = opts.minRowsForMean ?? MIN_ROWS_FOR_MEAN;
    this.rerank = opts.rerank ?? RERANK;
    this.now = opts.now ?? Date.now;
    this.set = new SketchSet(opts.scan);
  }

  /** Seals rows an older release stored in plain, then loads every enrolled face's sketch. */
  static async open(db: Knex, box: TemplateBox, opts: SketchIndexOptions = {}): Promise<SketchDedupIndex> {
    const idx = new SketchDedupIndex(db, box, opts);
    await idx.sealPlainRows();
    await idx.exclusive(() => idx.load());
    return idx;
  }

  /** Rows from before templates were sealed (migration 0070 cannot: the key is not the database's). */
  private async sealPlainRows(): Promise<void> {
    for (;;) {
      const rows = await plainRows(this.db, BATCH);
      if (rows.length === 0) return;
      await sealRows(
        this.db,
        rows.map((r) => ({ id: r.id, template: this.box.seal(r.personId, checkEmbedding(r.embedding)) })),
      );
    }
  }

  get size(): number {
    return this.set.size;
  }

  /** Memory held by the in-process sketches. */
  get bytes(): number {
    return this.set.bytes;
  }

  async enroll(trx: Queryable, e: Enrollment): Promise<void> {
    // Only the row is written here: the transaction may still roll back. search() picks it up once committed.
    // Without the mean (not fixed yet, or fixed by another process since this one last looked) the sketch is left
    // for the loader to store.
    const embedding = checkEmbedding(e.embedding);
    const sketch = this.mean ? this.box.sealSketch(e.personId, sketchOf(embedding, this.mean)) : null;
    await insertTemplate(trx, { personId: e.personId, caseId: e.caseId, descriptor: this.descriptor, template: this.box.seal(e.personId, embedding), sketch });
  }

  async search(embedding: ArrayLike<number>, k: number): Promise<DedupMatch[]> {
    const query = checkEmbedding(embedding);
    const want = Math.max(1, Math.floor(k));
    // Concurrent searches share the catch-up of whoever is first in line.
    const ids = await this.exclusive(async () => {
      await this.load();
      return this.set.nearest(sketchOf(query, this.mean), Math.max(want, this.rerank));
    });
    if (ids.length === 0) return [];
    const faces = await templatesById(this.db, ids);
    const out: DedupMatch[] = [];
    const gone: number[] = []; // deleted by another process
    for (const id of ids) {
      const face = faces.get(id);
      if (face) out.push({ personId: face.personId, caseId: face.caseId, similarity: cosine(query, this.box.open(face.personId, face.template)) });
      else gone.push(id);
    }
    if (gone.length) await this.exclusive(() => Promise.resolve(gone.forEach((id) => this.set.remove(id))));
    return out.sort((a, b) => b.similarity - a.similarity).slice(0, want);
  }

  async remove(personId: string, trx?: Queryable): Promise<void> {
    const ids = await deleteByPerson(trx ?? this.db, personId);
    // If trx rolls back the rows stay in the table; the next catch-up cannot see them again (ids below the
    // high-water mark), so removal from this process's set waits for the delete to be final: callers pass no
    // trx, or call remove again after commit. Search results are confirmed against the table either way.
    if (!trx) await this.exclusive(() => Promise.resolve(ids.forEach((id) => this.set.remove(id))));
  }

  /** Drops rows from this process's set (after the transaction that deleted them committed). */
  forget(ids: readonly number[]): Promise<void> {
    return this.exclusive(() => Promise.resolve(ids.forEach((id) => this.set.remove(id))));
  }

  /** Whether this process's set holds the row, after catching up. */
  holds(id: number): Promise<boolean> {
    return this.exclusive(async () => {
      await this.load();
      return this.set.has(id);
    });
  }

  /** Stops the scan threads. */
  close(): Promise<void> {
    return this.exclusive(() => this.set.close());
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    if (!this.mean) {
      let mean = await readMean(this.db, this.descriptor);
      if (!mean && (await hasRows(this.db, this.descriptor, this.minRowsForMean))) {
        // The first process to get here fixes the mean; the others (and later starts) read the same row.
        const first = await firstTemplates(this.db, this.descriptor, this.minRowsForMean);
        await storeMean(this.db, this.descriptor, meanOf(first.map((f) => this.box.open(f.personId, f.template))), this.minRowsForMean);
        mean = await readMean(this.db, this.descriptor);
      }
      if (mean) this.adopt(mean);
    }
    await this.loadNewRows();
  }

  /** Switches to the stored mean: every sketch held so far is of a raw descriptor, so reload from the start. */
  private adopt(mean: Float32Array): void {
    this.mean = mean;
    this.set.clear();
    this.highWater = 0;
    this.gaps.clear();
  }

  private async loadNewRows(): Promise<void> {
    const now = this.now();
    for (const [id, since] of this.gaps) if (now - since > GAP_TTL_MS) this.gaps.delete(id);
    let gapIds = [...this.gaps.keys()];
    for (;;) {
      // Without the mean, stored (centred) sketches do not fit: every template is opened and sketched raw.
      const rows = await sketchesAfter(this.db, this.descriptor, this.highWater, BATCH, gapIds, !this.mean);
      gapIds = [];
      if (rows.length === 0) return;
      const computed: Array<{ id: number; sketch: Buffer }> = [];
      for (const r of rows) {
        if (r.sketch) this.set.add(r.id, this.box.openSketch(r.personId, r.sketch));
        else if (r.template) {
          const sketch = sketchOf(this.box.open(r.personId, r.template), this.mean);
          this.set.add(r.id, sketch);
          if (this.mean) computed.push({ id: r.id, sketch: this.box.sealSketch(r.personId, sketch) });
        }
        this.gaps.delete(r.id);
      }
      await storeSketches(this.db, computed);
      let expected = this.highWater + 1;
      for (const r of rows) {
        if (r.id <= this.highWater) continue;
        for (; expected < r.id; expected++) this.gaps.set(expected, now);
        expected = r.id + 1;
      }
      this.highWater = Math.max(this.highWater, rows.at(-1)!.id);
      if (rows.length < BATCH) return;
    }
  }
}
