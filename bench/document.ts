// Document engine: MRZ read accuracy on generated documents (random names, numbers, dates, states, portraits) and
// analyzeDocument latency after warm-up. Baseline (same run, same documents): the same OCR pipeline without the
// OCR-B glyph second opinion, i.e. tesseract legacy + field-type clean-up only.
import { analyzeDocument, closeDocumentEngine, initDocumentEngine } from '../src/verification/engine/document/analyze.js';
import { locateMrz } from '../src/verification/engine/document/mrz-locate.js';
import { MrzOcr } from '../src/verification/engine/document/mrz-ocr.js';
import {
  generateIdCard, generatePassport, generateTd2, PORTRAITS, randomFields, seededRandom, type ImageVariant, type PortraitId,
} from '../test/support/documents/index.js';
import type { BenchRow } from './lib/types.js';

interface Doc {
  kind: 'TD3' | 'TD1' | 'TD2';
  front: Buffer;
  back?: Buffer;
  mrz: string[];
}

const now = new Date('2026-11-22T12:00:00Z');
const portraitIds = Object.keys(PORTRAITS) as PortraitId[];

async function makeDocs(seed: number, counts: { td3: number; td1: number; td2: number }, variant?: ImageVariant): Promise<Doc[]> {
  const rnd = seededRandom(seed);
  const docs: Doc[] = [];
  const opts = (i: number) => ({
    now, fields: randomFields(rnd, now), seed: seed + i, portrait: portraitIds[i % portraitIds.length]!, variant,
  });
  for (let i = 0; i < counts.td3; i++) {
    const d = await generatePassport(opts(i));
    docs.push({ kind: 'TD3', front: d.image, mrz: d.mrz });
  }
  for (let i = 0; i < counts.td1; i++) {
    const d = await generateIdCard(opts(i));
    docs.push({ kind: 'TD1', front: d.front, back: d.back, mrz: d.mrz });
  }
  for (let i = 0; i < counts.td2; i++) {
    const d = await generateTd2(opts(i));
    docs.push({ kind: 'TD2', front: d.image, mrz: d.mrz });
  }
  return docs;
}

/** Share of documents whose every MRZ character was read exactly. */
async function accuracy(ocr: MrzOcr, docs: Doc[]): Promise<{ exact: number; chars: number }> {
  let exact = 0;
  let wrongChars = 0;
  let totalChars = 0;
  for (const d of docs) {
    const img = d.back ?? d.front;
    const box = await locateMrz(img);
    const r = box ? await ocr.read(img, box) : null;
    const want = d.mrz.join('\n');
    const got = r?.lines.join('\n') ?? '';
    if (got === want) exact++;
    totalChars += want.length;
    for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) wrongChars++;
  }
  return { exact: exact / docs.length, chars: 1 - wrongChars / totalChars };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const clean = await makeDocs(1000, { td3: 20, td1: 10, td2: 5 });
  const blurred = await makeDocs(2000, { td3: 10, td1: 5, td2: 0 }, { blurSigma: 1.5 });
  const small = await makeDocs(3000, { td3: 10, td1: 5, td2: 0 }, { downscaleTo: 900 });
  const tilted = [
    ...(await makeDocs(4000, { td3: 5, td1: 3, td2: 0 }, { skewDegrees: 3 })),
    ...(await makeDocs(5000, { td3: 5, td1: 2, td2: 0 }, { skewDegrees: -2 })),
  ];

  const full = await MrzOcr.create();
  const plain = await MrzOcr.create({ refineGlyphs: false });
  try {
    const sets = [['clean', clean], ['blur σ1.5', blurred], ['900 px wide (TD3 short side 634)', small]] as const;
    for (const [label, docs] of sets) {
      const a = await accuracy(full, docs);
      const b = await accuracy(plain, docs);
      const kinds = [...new Set(docs.map((d) => d.kind))].map((k) => `${docs.filter((d) => d.kind === k).length} ${k}`);
      rows.push({
        name: `document: MRZ read exactly, ${label} (${kinds.join(' + ')})`,
        value: pct(a.exact), baseline: pct(b.exact), ratio: b.exact ? (a.exact / b.exact).toFixed(2) : '∞',
        note: `characters correct ${pct(a.chars)} vs ${pct(b.chars)}; baseline = no OCR-B glyph second opinion`,
      });
    }
  } finally {
    await full.close();
    await plain.close();
  }

  await initDocumentEngine();
  try {
    // Tilt is handled in analyzeDocument (deskew + rotations), so this set goes through the whole pipeline.
    let exact = 0;
    for (const d of tilted) {
      const a = await analyzeDocument({ front: d.front, back: d.back, now });
      if (a.checks.every((c) => c.passed)) exact++;
    }
    rows.push({
      name: `document: all checks pass on tilted photos, +3° / −2° (${tilted.filter((d) => d.kind === 'TD3').length} TD3 + ${tilted.filter((d) => d.kind === 'TD1').length} TD1)`,
      value: pct(exact / tilted.length),
      note: 'projection-profile deskew before MRZ location; no baseline: before deskew, 9 of 12 spot checks at 1–5° failed',
    });
  } finally {
    await closeDocumentEngine();
  }

  await initDocumentEngine();
  try {
    for (const d of clean.slice(0, 3)) await analyzeDocument({ front: d.front, back: d.back, now }); // warm-up
    const times: Record<'TD3' | 'TD1', number[]> = { TD3: [], TD1: [] };
    for (const d of clean) {
      if (d.kind === 'TD2') continue;
      const t = performance.now();
      await analyzeDocument({ front: d.front, back: d.back, now });
      times[d.kind].push(performance.now() - t);
    }
    for (const [k, label] of [['TD3', 'passport 1500×1056'], ['TD1', 'ID card front+back 1000×631']] as const) {
      const xs = times[k];
      rows.push({
        name: `document: analyzeDocument ${label}, p50 / p95`,
        value: `${quantile(xs, 0.5).toFixed(0)} / ${quantile(xs, 0.95).toFixed(0)} ms`,
        note: `${xs.length} documents after 3 warm-up runs; one OCR worker; quality + EXIF + MRZ locate/OCR/parse`,
      });
    }
  } finally {
    await closeDocumentEngine();
  }
  return rows;
}
