// `npm run bench [area…] [--record]`: runs the benchmarks, prints one table and the issues' targets judged on this
// run; --record writes both to bench/RESULTS.md and keeps its hand-written '## Notes' section.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './lib/types.js';

const AREAS: Record<string, () => Promise<{ run(): Promise<BenchRow[]> }>> = {
  oidc: () => import('./oidc.js'),
  status: async () => ({ run: async () => (await import('./oidc.js')).run('status') }),
  tokens: async () => ({ run: async () => (await import('./oidc.js')).run('tokens') }),
  webhooks: () => import('./webhooks.js'),
  verification: () => import('./verification.js'),
  hosted: () => import('./hosted.js'),
  document: () => import('./document.js'),
  'viz-mrz': () => import('./viz-mrz.js'),
  dedup: () => import('./dedup.js'),
  'dedup-flags': () => import('./dedup-flags.js'),
  screening: () => import('./screening.js'),
};

const args = process.argv.slice(2);
const record = args.includes('--record');
const wanted = args.filter((a) => !a.startsWith('--'));
// 'status' and 'tokens' are the two halves of 'oidc', for quick runs.
const areas = wanted.length ? wanted : Object.keys(AREAS).filter((a) => a !== 'status' && a !== 'tokens');

function table(rows: BenchRow[]): string {
  const head = '| benchmark | KYCPort | baseline (same run) | ratio | note |\n|---|---|---|---|---|';
  return [head, ...rows.map((r) => `| ${r.name} | ${r.value} | ${r.baseline ?? ''} | ${r.ratio ?? ''} | ${r.note ?? ''} |`)].join('\n');
}

function targets(rows: BenchRow[]): string {
  const judged = rows.filter((r) => r.target);
  if (!judged.length) return '';
  const head = '| target | measured (this run) | met? |\n|---|---|---|';
  return [head, ...judged.map(({ target: t }) => `| ${t!.goal} | ${t!.measured} | ${t!.met ? 'yes' : '**no**'} |`)].join('\n');
}

const rows: BenchRow[] = [];
for (const area of areas) {
  const loader = AREAS[area];
  if (!loader) throw new Error(`unknown bench area ${area}; known: ${Object.keys(AREAS).join(', ')}`);
  process.stderr.write(`running ${area}…\n`);
  const started = Date.now();
  try {
    rows.push(...(await (await loader()).run()));
  } catch (err) {
    const note = String((err as Error).message).slice(0, 200);
    rows.push({ name: area, value: 'FAILED', note, target: { goal: `the ${area} benchmarks run`, measured: 'FAILED', met: false } });
  }
  process.stderr.write(`${area} done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
const judged = targets(rows);
const out = `${table(rows)}\n${judged ? `\n## Targets\n\n${judged}\n` : ''}`;
process.stdout.write(`\n${out}\nmachine: ${machine}\n`);
if (record) {
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), 'RESULTS.md');
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const notes = old.includes('\n## Notes\n') ? old.slice(old.indexOf('\n## Notes\n')) : '';
  const body = `# Benchmark results\n\nRecorded ${new Date().toISOString().slice(0, 10)} on ${machine}.\nCommand: \`npm run bench -- ${args.join(' ')}\`.\n\n${out}${notes}`;
  fs.writeFileSync(file, body);
}
process.exit(0);
