// Format detection and dispatch. Detection looks at content first (a JSON object line vs. a 12- or 5-column CSV
// record), so a renamed file still loads; the extension only breaks ties for empty files.
import fs from 'node:fs';
import path from 'node:path';
import type { ListFormat, LoaderItem } from '../types.js';
import { readFtm } from './ftm.js';
import { ALT_COLUMNS, readOfacSdn, SDN_COLUMNS } from './ofac.js';
import { readCsv } from '../csv.js';

export type DetectedFormat = ListFormat | 'ofac-alt';

async function firstLine(file: string): Promise<string | undefined> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    return text.split(/\r\n|\n|\r/).find((l) => l.trim() !== '');
  } finally {
    await fh.close();
  }
}

/** The list format of a file, 'ofac-alt' for an OFAC alias file, or undefined when it is neither. */
export async function detectFormat(file: string): Promise<DetectedFormat | undefined> {
  const first = await firstLine(file);
  if (first === undefined) return /\.(jsonl|json)$/i.test(file) ? 'ftm' : undefined;
  if (first.trimStart().startsWith('{')) return 'ftm';
  for await (const rec of readCsv(file)) {
    if ('error' in rec) return undefined;
    if (rec.fields.length === SDN_COLUMNS) return 'ofac-sdn';
    if (rec.fields.length === ALT_COLUMNS) return 'ofac-alt';
    return undefined;
  }
  return undefined;
}

/** alt.csv beside an sdn.csv: "sdn.csv" → "alt.csv", "2026_sdn.csv" → "2026_alt.csv". */
export function findAltFile(sdnPath: string): string | undefined {
  const dir = path.dirname(sdnPath);
  const base = path.basename(sdnPath);
  const candidates = [base.replace(/sdn/i, (m) => (m === 'SDN' ? 'ALT' : 'alt')), 'alt.csv', 'ALT.CSV'];
  for (const c of candidates) {
    if (c === base) continue;
    const p = path.join(dir, c);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

export function readList(file: string, format: ListFormat, altPath?: string): AsyncGenerator<LoaderItem> {
  return format === 'ftm' ? readFtm(file) : readOfacSdn(file, altPath);
}
