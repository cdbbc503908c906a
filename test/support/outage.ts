// Helpers for outage tests: time a request, and capture the structured log lines the server writes meanwhile.
import { setLogLevel } from '../../src/log.js';

export async function timed<T>(f: () => Promise<T>): Promise<{ res: T; ms: number }> {
  const t0 = performance.now();
  const res = await f();
  return { res, ms: Math.round(performance.now() - t0) };
}

/** Records every line written to stdout/stderr (info level and up) until stop(). */
export function captureLogs(): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  const originals = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const tap = (write: typeof process.stdout.write): typeof process.stdout.write =>
    ((chunk: string | Uint8Array, ...rest: never[]) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
  process.stdout.write = tap(originals.out);
  process.stderr.write = tap(originals.err);
  setLogLevel('info');
  return {
    lines,
    stop() {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
      setLogLevel('warn');
    },
  };
}
