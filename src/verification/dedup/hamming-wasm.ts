// The Hamming-distance kernel of the sketch index, as a WebAssembly module emitted byte by byte here (no binary
// file in the repository). A scan over 1M 1024-bit sketches is 128 MB of XOR + POPCNT. Scalar i64.popcnt is one
// instruction: it beats the same loop in JS with a bit-trick 32-bit popcount, and WASM SIMD's i8x16.popcnt
// (docs/measurements.md).
//
// (import "env" "memory" (memory 1 65536 shared)): the scan threads of sketch-set.ts share it
// scan(query, rows, n, dist, hist): for each of n sketches of 128 bytes at `rows`,
//   d = popcount(sketch XOR query); u16 dist[i] = d; i32 hist[d] += 1
// collect(dist, n, t, ties, out) -> count: i32 indices i with dist[i] < t, plus the first `ties` with dist[i] = t

const I32 = 0x7f;
const I64 = 0x7e;
const op = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, brIf: 0x0d, void: 0x40,
  get: 0x20, set: 0x21, tee: 0x22,
  i32Load: 0x28, i64Load: 0x29, i32Load16U: 0x2f, i32Store: 0x36, i32Store16: 0x3b, i32Const: 0x41,
  i32Eqz: 0x45, i32Eq: 0x46, i32LtU: 0x49, i32Add: 0x6a, i32Sub: 0x6b, i32And: 0x71, i32Shl: 0x74, i32ShrU: 0x76,
  i64Popcnt: 0x7b, i64Add: 0x7c, i64Xor: 0x85, i32WrapI64: 0xa7,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
}

const name = (s: string) => [...uleb(s.length), ...Buffer.from(s, 'utf8')];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const get = (i: number) => [op.get, ...uleb(i)];
const set = (i: number) => [op.set, ...uleb(i)];
const tee = (i: number) => [op.tee, ...uleb(i)];
const i32 = (n: number) => [op.i32Const, ...sleb(n)];
/** memarg: log2 alignment, constant offset. */
const mem = (opcode: number, align: number, offset = 0) => [opcode, align, ...uleb(offset)];
const func = (locals: Array<[number, number]>, body: number[]) => {
  const code = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...body, op.end];
  return [...uleb(code.length), ...code];
};

const WORDS = 16; // 1024 bits = 16 × i64

function scanBody(): number[] {
  // params 0 query, 1 rows, 2 n, 3 dist, 4 hist; locals 5..20 query words, 21 end, 22 d, 23 slot address
  const [q, rows, n, dist, hist, END, D, A] = [0, 1, 2, 3, 4, 5 + WORDS, 6 + WORDS, 7 + WORDS];
  const b: number[] = [];
  for (let w = 0; w < WORDS; w++) b.push(...get(q), ...mem(op.i64Load, 3, 8 * w), ...set(5 + w));
  b.push(...get(rows), ...get(n), ...i32(7), op.i32Shl, op.i32Add, ...set(END));
  b.push(op.block, op.void, ...get(n), op.i32Eqz, op.brIf, 0, op.loop, op.void);
  for (let w = 0; w < WORDS; w++) {
    b.push(...get(rows), ...mem(op.i64Load, 3, 8 * w), ...get(5 + w), op.i64Xor, op.i64Popcnt);
    if (w > 0) b.push(op.i64Add);
  }
  b.push(op.i32WrapI64, ...set(D));
  b.push(...get(dist), ...get(D), ...mem(op.i32Store16, 1));
  b.push(...get(hist), ...get(D), ...i32(2), op.i32Shl, op.i32Add, ...tee(A), ...get(A), ...mem(op.i32Load, 2), ...i32(1), op.i32Add, ...mem(op.i32Store, 2));
  b.push(...get(dist), ...i32(2), op.i32Add, ...set(dist));
  b.push(...get(rows), ...i32(128), op.i32Add, ...tee(rows), ...get(END), op.i32LtU, op.brIf, 0);
  b.push(op.end, op.end);
  return func([[WORDS, I64], [3, I32]], b);
}

function collectBody(): number[] {
  // params 0 dist, 1 n, 2 t, 3 ties, 4 out; locals 5 index, 6 write pointer, 7 d
  const [dist, n, t, ties, out, I, P, D] = [0, 1, 2, 3, 4, 5, 6, 7];
  const take = [...get(P), ...get(I), ...mem(op.i32Store, 2), ...get(P), ...i32(4), op.i32Add, ...set(P)];
  const b: number[] = [...get(out), ...set(P)];
  b.push(op.block, op.void, ...get(n), op.i32Eqz, op.brIf, 0, op.loop, op.void);
  b.push(...get(dist), ...get(I), ...i32(1), op.i32Shl, op.i32Add, ...mem(op.i32Load16U, 1), ...tee(D));
  b.push(...get(t), op.i32LtU, op.if, op.void, ...take, op.else);
  b.push(...get(D), ...get(t), op.i32Eq, ...get(ties), op.i32Eqz, op.i32Eqz, op.i32And, op.if, op.void);
  b.push(...take, ...get(ties), ...i32(1), op.i32Sub, ...set(ties), op.end, op.end);
  b.push(...get(I), ...i32(1), op.i32Add, ...tee(I), ...get(n), op.i32LtU, op.brIf, 0);
  b.push(op.end, op.end);
  b.push(...get(P), ...get(out), op.i32Sub, ...i32(2), op.i32ShrU);
  return func([[3, I32]], b);
}

export function hammingModuleBytes(): Uint8Array<ArrayBuffer> {
  const fiveI32 = [I32, I32, I32, I32, I32].map((t) => [t]);
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec([[0x60, ...vec(fiveI32), 0], [0x60, ...vec(fiveI32), ...vec([[I32]])]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(1), ...uleb(65536)]])),
    ...section(3, vec([[0], [1]])),
    ...section(7, vec([[...name('scan'), 0x00, 0], [...name('collect'), 0x00, 1]])),
    ...section(10, vec([scanBody(), collectBody()])),
  ]);
}

export interface HammingKernel {
  scan(query: number, rows: number, n: number, dist: number, hist: number): void;
  collect(dist: number, n: number, t: number, ties: number, out: number): number;
}

let compiled: WebAssembly.Module | undefined;

/** The compiled module (compiled once per process; a worker thread can be given it). */
export function hammingModule(): WebAssembly.Module {
  return (compiled ??= new WebAssembly.Module(hammingModuleBytes()));
}

/** The kernel bound to `memory`, a shared memory (its pages must hold every address passed in). */
export function hammingKernel(memory: WebAssembly.Memory): HammingKernel {
  const { scan, collect } = new WebAssembly.Instance(hammingModule(), { env: { memory } }).exports;
  if (typeof scan !== 'function' || typeof collect !== 'function') throw new Error('hamming kernel: the module lacks scan/collect');
  return { scan: scan as HammingKernel['scan'], collect: collect as HammingKernel['collect'] };
}
