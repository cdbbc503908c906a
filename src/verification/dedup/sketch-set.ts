// Every enrolled sketch of this process in one shared WebAssembly memory, searched by an exact Hamming scan: the
// cost is linear in N (bench/RESULTS.md, Notes) but recall does not decay with N and adding a row is a copy. From
// `parallelFrom` sketches on, the scan runs on worker threads, one part each (scan-threads.ts): the event loop stays
// free while it runs, and the parts run on every core.
import os from 'node:os';
import { hammingKernel, hammingModule, type HammingKernel } from './hamming-wasm.js';
import { ScanThreads, type ScanPart } from './scan-threads.js';
import { SKETCH_BYTES } from './sketch.js';

const QUERY = 0;
const HIST = 128; // per part: 1025 × i32 counts of distances 0..1024
const HIST_BYTES = 1025 * 4;
const MAX_THREADS = 4;
const ROWS = HIST + (MAX_THREADS + 1) * HIST_BYTES + 8192;
const PAGE = 65536;
/** Bytes per slot: the sketch, its u16 distance, its i32 index when collected. */
const SLOT_BYTES = SKETCH_BYTES + 2 + 4;
/** A wasm32 memory holds at most 65536 pages (4 GiB): about 32M sketches. */
const MAX_CAPACITY = Math.floor((65536 * PAGE - ROWS) / SLOT_BYTES);

/** Sets at least this large are scanned on the threads by default (a 64k scan takes well under a millisecond). */
export const PARALLEL_FROM = 65_536;
/** Scan threads by default: the cores, at most 4. */
export const defaultScanThreads = (): number => Math.min(MAX_THREADS, os.availableParallelism());

export interface SketchSetOptions {
  /** Scan threads (default defaultScanThreads(); 1 = scan on the calling thread). */
  threads?: number;
  /** Sets smaller than this are scanned on the calling thread (default PARALLEL_FROM). */
  parallelFrom?: number;
}

export class SketchSet {
  private readonly memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  private readonly kernel: HammingKernel = hammingKernel(this.memory);
  private readonly threadCount: number;
  private readonly parallelFrom: number;
  private threads: ScanThreads | undefined;
  private capacity = 0;
  private ids = new Float64Array(0);
  private count = 0;
  /** A scan is running on the threads: the rows must not move until it ends. */
  private scanning = false;

  constructor(opts: SketchSetOptions = {}) {
    this.threadCount = Math.max(1, Math.min(MAX_THREADS, opts.threads ?? defaultScanThreads()));
    this.parallelFrom = opts.parallelFrom ?? PARALLEL_FROM;
    this.reserve(1024);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held (sketches, scan buffers, ids). */
  get bytes(): number {
    return this.memory.buffer.byteLength + this.ids.byteLength;
  }

  add(id: number, sketch: Uint8Array): void {
    this.assertIdle();
    if (sketch.length !== SKETCH_BYTES) throw new Error(`sketch must have ${SKETCH_BYTES} bytes`);
    if (this.count === this.capacity) {
      if (this.capacity === MAX_CAPACITY) throw new Error(`the sketch index holds at most ${MAX_CAPACITY} faces`);
      this.reserve(Math.min(this.capacity * 2, MAX_CAPACITY));
    }
    new Uint8Array(this.memory.buffer, ROWS + this.count * SKETCH_BYTES, SKETCH_BYTES).set(sketch);
    this.ids[this.count++] = id;
  }

  has(id: number): boolean {
    return this.ids.subarray(0, this.count).includes(id);
  }

  /** Removes the row with this id (the last row moves into its slot); false if absent. Linear in N. */
  remove(id: number): boolean {
    this.assertIdle();
    const slot = this.ids.subarray(0, this.count).indexOf(id);
    if (slot < 0) return false;
    const last = --this.count;
    if (slot !== last) {
      new Uint8Array(this.memory.buffer).copyWithin(ROWS + slot * SKETCH_BYTES, ROWS + last * SKETCH_BYTES, ROWS + (last + 1) * SKETCH_BYTES);
      this.ids[slot] = this.ids[last]!;
    }
    return true;
  }

  clear(): void {
    this.assertIdle();
    this.count = 0;
  }

  /**
   * Ids of the k sketches nearest to `query` in Hamming distance, nearest first (ties: earlier slot first). The
   * caller must not change the set until this resolves (add/remove throw meanwhile).
   */
  async nearest(query: Uint8Array, k: number): Promise<number[]> {
    this.assertIdle();
    const want = Math.min(Math.floor(k), this.count);
    if (want <= 0) return [];
    const n = this.count;
    new Uint8Array(this.memory.buffer, QUERY, SKETCH_BYTES).set(query);
    const distAt = ROWS + this.capacity * SKETCH_BYTES;
    const outAt = distAt + this.capacity * 2;
    const parts = this.parts(n, distAt);
    for (const p of parts) new Int32Array(this.memory.buffer, p[4], 1025).fill(0);
    if (parts.length === 1) this.kernel.scan(...parts[0]!);
    else {
      this.scanning = true;
      try {
        await this.threads!.run(parts);
      } finally {
        this.scanning = false;
      }
    }
    const buf = this.memory.buffer;
    const hist = new Int32Array(buf, HIST, 1025);
    for (const p of parts.slice(1)) {
      const h = new Int32Array(buf, p[4], 1025);
      for (let d = 0; d <= 1024; d++) hist[d]! += h[d]!;
    }
    // The smallest distance t with at least `want` rows at or below it: all rows below t, then ties at t.
    let t = 0;
    let below = 0;
    while (below + hist[t]! < want) below += hist[t++]!;
    const found = this.kernel.collect(distAt, n, t, want - below, outAt);
    const dist = new Uint16Array(buf, distAt, n);
    const slots = Array.from(new Int32Array(buf, outAt, found));
    slots.sort((a, b) => dist[a]! - dist[b]! || a - b);
    return slots.map((s) => this.ids[s]!);
  }

  /** Stops the scan threads (a later large scan starts them again). */
  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = undefined;
    await threads?.close();
  }

  /** One part for the calling thread, or one per scan thread in slot order. */
  private parts(n: number, distAt: number): ScanPart[] {
    if (n < this.parallelFrom || this.threadCount === 1) return [[QUERY, ROWS, n, distAt, HIST]];
    this.threads ??= new ScanThreads(hammingModule(), this.memory, this.threadCount);
    const per = Math.ceil(n / this.threadCount);
    const parts: ScanPart[] = [];
    for (let i = 0, from = 0; from < n; i++, from += per) {
      parts.push([QUERY, ROWS + from * SKETCH_BYTES, Math.min(per, n - from), distAt + from * 2, HIST + i * HIST_BYTES]);
    }
    return parts;
  }

  private assertIdle(): void {
    if (this.scanning) throw new Error('the sketch set changed during a scan');
  }

  private reserve(capacity: number): void {
    const pages = Math.ceil((ROWS + capacity * SLOT_BYTES) / PAGE);
    const have = this.memory.buffer.byteLength / PAGE;
    if (pages > have) this.memory.grow(pages - have);
    const ids = new Float64Array(capacity);
    ids.set(this.ids.subarray(0, this.count));
    this.ids = ids;
    this.capacity = capacity;
  }
}
