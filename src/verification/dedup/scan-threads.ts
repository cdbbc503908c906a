// Worker threads that run the Hamming kernel over parts of a shared sketch memory, so a large scan neither blocks
// the event loop nor runs on one core. The worker is a few lines of plain JavaScript given the compiled module and
// the memory (both cross to a worker without copying), so it needs no loader and starts in milliseconds.
import { Worker } from 'node:worker_threads';

const WORKER = `const { parentPort, workerData } = require('node:worker_threads');
const { scan } = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } }).exports;
parentPort.on('message', (a) => { scan(a[0], a[1], a[2], a[3], a[4]); parentPort.postMessage(0); });`;

/** scan(query, rows, n, dist, hist) arguments, as in hamming-wasm.ts. */
export type ScanPart = [query: number, rows: number, n: number, dist: number, hist: number];

export class ScanThreads {
  private readonly workers: Worker[];
  private failed: Error | undefined;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, count: number) {
    this.workers = Array.from({ length: count }, () => {
      const w = new Worker(WORKER, { eval: true, workerData: { module, memory } });
      w.on('error', (err) => (this.failed = err));
      w.on('exit', () => (this.failed ??= new Error('a sketch scan thread exited')));
      w.unref(); // idle threads never keep the process alive; a running scan refs its thread
      return w;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs one part per thread (parts.length ≤ size); resolves when every part is scanned. */
  run(parts: ScanPart[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return Promise.all(
      parts.map(
        (part, i) =>
          new Promise<void>((resolve, reject) => {
            const w = this.workers[i]!;
            const done = () => (off(), resolve());
            const fail = (err: Error) => (off(), reject(err));
            const exited = () => fail(new Error('a sketch scan thread exited'));
            const off = () => (w.off('message', done), w.off('error', fail), w.off('exit', exited), w.unref());
            w.ref();
            w.once('message', done).once('error', fail).once('exit', exited).postMessage(part);
          }),
      ),
    ).then(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
