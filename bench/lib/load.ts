// A small closed-loop HTTP load generator (undici, keep-alive): N connections, each sends its next request
// as soon as the previous answer arrives. Reports throughput and latency percentiles.
import { Pool } from 'undici';

export interface LoadResult {
  requests: number;
  errors: number;
  /** Status and start of the body of the first unexpected answer, for diagnosis. */
  firstError?: string;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

export interface RequestSpec {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `next()`-produced requests over `connections` for `durationMs` or until `next` returns undefined. */
export async function load(
  origin: string,
  opts: { connections: number; durationMs: number; next: () => RequestSpec | undefined; expect?: (status: number) => boolean },
): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: opts.connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const ok = opts.expect ?? ((s) => s >= 200 && s < 300);
  const start = performance.now();
  const deadline = start + opts.durationMs;
  const worker = async () => {
    for (;;) {
      if (performance.now() > deadline) return;
      const spec = opts.next();
      if (!spec) return;
      const t0 = performance.now();
      try {
        const res = await pool.request({ method: spec.method ?? 'GET', path: spec.path, headers: spec.headers, body: spec.body });
        if (!ok(res.statusCode)) {
          errors++;
          if (!firstError) firstError = `${res.statusCode} ${(await res.body.text()).slice(0, 300)}`;
        } else await res.body.dump();
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, worker));
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { firstError, requests: latencies.length, errors, seconds, rps: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export const fmt = {
  rps: (r: LoadResult) => `${Math.round(r.rps).toLocaleString('en-US')} req/s (p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms)`,
  ratio: (a: number, b: number) => `${(a / b).toFixed(2)}×`,
};
