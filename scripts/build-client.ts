// Builds the hosted flow's client (src/hosted/client/verify.ts + verify.css) with esbuild into public/hosted/
// (gitignored), served at /assets/hosted/. Runs from `npm run build:client`, the prestart/build hooks and the
// test suite's global setup, so a fresh clone needs no extra step. `--check-size` also enforces the budget.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
export const CLIENT_OUT = path.join(root, 'public', 'hosted');
/** Issue 11: the flow's own JS + CSS, gzipped, in total. */
export const BUDGET_BYTES = 150 * 1024;

export async function buildClient(): Promise<void> {
  const dir = path.join(root, 'src', 'hosted', 'client');
  await build({
    entryPoints: [path.join(dir, 'verify.ts'), path.join(dir, 'verify.css')],
    outdir: CLIENT_OUT,
    bundle: true,
    minify: true,
    format: 'esm',
    // Cheap and older phones: module scripts, getUserMedia and the DataTransfer constructor (Safari 14.1).
    target: ['es2020', 'chrome80', 'firefox78', 'safari14.1'],
    legalComments: 'none',
    logLevel: 'warning',
  });
}

/** Every file the flow's pages load: the built client plus the stylesheets in public/ (the pages' own CSS). */
export function clientAssetSizes(): { file: string; bytes: number; gzip: number }[] {
  const pub = path.join(root, 'public');
  const files = [
    ...fs.readdirSync(CLIENT_OUT).map((f) => path.join(CLIENT_OUT, f)),
    ...fs.readdirSync(pub).filter((f) => f.endsWith('.css')).map((f) => path.join(pub, f)),
  ].filter((f) => /\.(js|css)$/.test(f));
  return files.map((file) => {
    const body = fs.readFileSync(file);
    return { file: path.relative(root, file), bytes: body.length, gzip: zlib.gzipSync(body, { level: 9 }).length };
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  await buildClient();
  if (process.argv.includes('--check-size')) {
    const sizes = clientAssetSizes();
    const total = sizes.reduce((n, s) => n + s.gzip, 0);
    for (const s of sizes) console.log(`${s.file.padEnd(28)} ${String(s.bytes).padStart(7)} B  ${String(s.gzip).padStart(6)} B gz`);
    console.log(`hosted flow JS + CSS: ${total} B gzipped (budget ${BUDGET_BYTES} B)`);
    if (total > BUDGET_BYTES) process.exit(1);
  }
}
