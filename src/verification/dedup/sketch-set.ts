// Every enrolled sketch of this process in one WebAssembly memory, searched by an exact Hamming scan: the cost is
// linear in N (bench/RESULTS.md, Notes) but recall does not decay with N and adding a row is a copy.
import { hammingKernel, type HammingKernel } from './hamming-wasm.js';
import { SKETCH_BYTES } from './sketch.js';

const QUERY = 0;
const HIST = 128; // 1025 × i32 counts of distances 0..1024
const ROWS = 8192;
const PAGE = 65536;
/** Bytes per slot: the sketch, its u16 distance, its i32 index when collected. */
const SLOT_BYTES = SKETCH_BYTES + 2 + 4;
/** A wasm32 memory holds at most 65536 pages (4 GiB): about 32M sketches. */
const MAX_CAPACITY = Math.floor((65536 * PAGE - ROWS) / SLOT_BYTES);

export class SketchSet {
  private readonly memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
  private readonly kernel: HammingKernel = hammingKernel(this.memory);
  private capacity = 0;
  private ids = new Float64Array(0);
  private count = 0;

  constructor() {
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
    this.count = 0;
  }

  /** Ids of the k sketches nearest to `query` in Hamming distance, nearest first (ties: earlier slot first). */
  nearest(query: Uint8Array, k: number): number[] {
    const want = Math.min(Math.floor(k), this.count);
    if (want <= 0) return [];
    const buf = this.memory.buffer;
    new Uint8Array(buf, QUERY, SKETCH_BYTES).set(query);
    const hist = new Int32Array(buf, HIST, 1025).fill(0);
    const distAt = ROWS + this.capacity * SKETCH_BYTES;
    const outAt = distAt + this.capacity * 2;
    this.kernel.scan(QUERY, ROWS, this.count, distAt, HIST);
    // The smallest distance t with at least `want` rows at or below it: all rows below t, then ties at t.
    let t = 0;
    let below = 0;
    while (below + hist[t]! < want) below += hist[t++]!;
    const n = this.kernel.collect(distAt, this.count, t, want - below, outAt);
    const dist = new Uint16Array(buf, distAt, this.count);
    const slots = Array.from(new Int32Array(buf, outAt, n));
    slots.sort((a, b) => dist[a]! - dist[b]! || a - b);
    return slots.map((s) => this.ids[s]!);
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
