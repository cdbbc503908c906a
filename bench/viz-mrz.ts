// Printed zone ↔ MRZ cross-check (document.viz_mrz) on generated documents: detection of one altered printed field
// (the MRZ stays valid), false mismatches and unread zones on unaltered clean and degraded renders, TD3 and TD1,
// and the time the comparison adds to analyzeDocument (same documents, with and without it, interleaved).
import { analyzeDocument, closeDocumentEngine, initDocumentEngine, type DocumentAnalysis } from '../src/verification/engine/document/analyze.js';
import {
  generateIdCard, generatePassport, PORTRAITS, randomFields, seededRandom, type DocumentFields, type GenerateOptions,
  type ImageVariant, type PortraitId,
} from '../test/support/documents/index.js';
import type { BenchRow } from './lib/types.js';

const now = new Date('2026-11-22T12:00:00Z');
const portraitIds = Object.keys(PORTRAITS) as PortraitId[];
type Format = 'TD3' | 'TD1';
type Altered = 'birthDate' | 'documentNumber' | 'expiryDate' | 'surname';
const ALPHANUM = 'ABCDEFGHJKLMNPRTUVWXY34679'; // no confusable characters: an edit the eye would accept

interface Doc {
  front: Buffer;
  back?: Buffer;
}

async function render(format: Format, o: GenerateOptions): Promise<Doc> {
  if (format === 'TD3') return { front: (await generatePassport(o)).image };
  const c = await generateIdCard(o);
  return { front: c.front, back: c.back };
}

const shiftIso = (iso: string, days: number): string => new Date(Date.parse(iso) + days * 86_400_000).toISOString().slice(0, 10);

/** A forger's edit of one printed field: another plausible value, never one the OCR confusions could explain. */
function alter(field: Altered, f: DocumentFields, rnd: () => number): NonNullable<GenerateOptions['printed']> {
  switch (field) {
    case 'birthDate':
      // Older or younger by 1–15 years and a few days (an applicant making themselves of age, or someone else).
      return { birthDate: shiftIso(f.birthDate, (rnd() < 0.5 ? -1 : 1) * (365 * (1 + Math.floor(rnd() * 15)) + Math.floor(rnd() * 20))) };
    case 'expiryDate':
      return { expiryDate: shiftIso(f.expiryDate, 365 * (1 + Math.floor(rnd() * 5)) + Math.floor(rnd() * 20)) };
    case 'documentNumber': {
      // Two characters changed: someone else's number, close enough to pass a glance.
      const n = f.documentNumber.split('');
      for (const i of [2 + Math.floor(rnd() * 3), 5 + Math.floor(rnd() * 4)]) {
        let c = n[i]!;
        while (c === n[i]) c = ALPHANUM[Math.floor(rnd() * ALPHANUM.length)]!;
        n[i] = c;
      }
      return { documentNumber: n.join('') };
    }
    case 'surname': {
      const others = ['Lindgren', 'Kowalski', 'Bernard', 'Hoffmann', 'Marino', 'Jansen', 'Duarte', 'Petersen'];
      return { surname: others.find((s) => !f.surname.toUpperCase().startsWith(s.slice(0, 3).toUpperCase()) && rnd() < 0.5) ?? 'Hoffmann' };
    }
  }
}

interface Outcome {
  compared: boolean;
  mismatch: boolean;
  fields: Record<string, string> | null;
}

function outcome(a: DocumentAnalysis): Outcome {
  const c = a.checks.find((x) => x.name === 'document.viz_mrz');
  if (!c) return { compared: false, mismatch: false, fields: null };
  const fields = (c.details as { fields: Record<string, string> }).fields;
  return { compared: Object.values(fields).some((s) => s !== 'unread'), mismatch: c.code === 'viz_mrz_mismatch', fields };
}

const pct = (k: number, n: number): string => (n ? `${((100 * k) / n).toFixed(1)}% (${k}/${n})` : '—');
const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

const UNALTERED: { label: string; variant: ImageVariant; n: number }[] = [
  { label: 'clean', variant: {}, n: 10 },
  { label: 'blur σ1.5', variant: { blurSigma: 1.5 }, n: 4 },
  { label: '900 px wide', variant: { downscaleTo: 900 }, n: 4 },
  { label: 'tilted +3°', variant: { skewDegrees: 3 }, n: 4 },
  { label: 'upside down', variant: { rotate: 180 }, n: 4 },
  { label: 'glare 5%', variant: { glare: 0.05 }, n: 4 },
  { label: 'JPEG q50', variant: { jpegQuality: 50 }, n: 4 },
];
const ALTERED: Altered[] = ['birthDate', 'documentNumber', 'expiryDate', 'surname'];
const ALTERED_N = 6;

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const log = (s: string) => process.stderr.write(`${s}\n`);
  await initDocumentEngine();
  try {
    for (const format of ['TD3', 'TD1'] as const) {
      const rnd = seededRandom(format === 'TD3' ? 1300 : 1301);
      const opts = (i: number, variant: ImageVariant, printed?: GenerateOptions['printed']): { o: GenerateOptions; f: DocumentFields } => {
        const f = randomFields(rnd, now);
        return { f, o: { now, fields: f, seed: 40 + i, portrait: portraitIds[i % portraitIds.length]!, variant, ...(printed ? { printed } : {}) } };
      };
      // Unaltered: false mismatches and unread zones.
      for (const set of UNALTERED) {
        let compared = 0;
        let mismatch = 0;
        let notValid = 0;
        const unreadFields: Record<string, number> = {};
        for (let i = 0; i < set.n; i++) {
          const { o } = opts(i, set.variant);
          const d = await render(format, o);
          const r = outcome(await analyzeDocument({ ...d, now }));
          if (!r.fields) notValid++;
          else {
            if (r.compared) compared++;
            if (r.mismatch) {
              mismatch++;
              log(`false mismatch ${format} ${set.label} #${i}: ${JSON.stringify(r.fields)}`);
            }
            for (const [k, v] of Object.entries(r.fields)) if (v === 'unread') unreadFields[k] = (unreadFields[k] ?? 0) + 1;
          }
        }
        const ran = set.n - notValid;
        rows.push({
          name: `viz_mrz: unaltered ${format}, ${set.label}: false mismatch`,
          value: pct(mismatch, ran),
          note: `zone compared (≥1 field read) ${pct(compared, ran)}; fields unread: ${JSON.stringify(unreadFields)}${notValid ? `; ${notValid} without a valid MRZ (no comparison)` : ''}`,
        });
      }
      // One printed field altered, clean renders.
      for (const field of ALTERED) {
        let detected = 0;
        let fieldDiffers = 0;
        let ran = 0;
        for (let i = 0; i < ALTERED_N; i++) {
          const f0 = randomFields(rnd, now);
          const printed = alter(field, f0, rnd);
          const o: GenerateOptions = { now, fields: f0, seed: 70 + i, portrait: portraitIds[i % portraitIds.length]!, printed };
          const r = outcome(await analyzeDocument({ ...(await render(format, o)), now }));
          if (!r.fields) continue;
          ran++;
          if (r.mismatch) detected++;
          if (r.fields[field] === 'differs') fieldDiffers++;
          else log(`missed ${format} ${field} #${i}: ${JSON.stringify(r.fields)}`);
        }
        rows.push({
          name: `viz_mrz: printed ${field} altered, ${format} clean: detected (viz_mrz_mismatch)`,
          value: pct(detected, ran),
          note: `the altered field itself reported as differing: ${pct(fieldDiffers, ran)}`,
        });
      }
      // Latency: the same clean documents with and without the comparison, interleaved (the machine is shared).
      const withViz: number[] = [];
      const without: number[] = [];
      const docs: Doc[] = [];
      for (let i = 0; i < 6; i++) docs.push(await render(format, opts(i, {}).o));
      await analyzeDocument({ ...docs[0]!, now }); // warm-up
      for (const d of docs) {
        for (const viz of i2(withViz.length)) {
          const t = performance.now();
          await analyzeDocument({ ...d, now, printedZone: viz });
          (viz ? withViz : without).push(performance.now() - t);
        }
      }
      const added = withViz.map((t, i) => t - without[i]!);
      rows.push({
        name: `viz_mrz: analyzeDocument ${format} with the printed-zone comparison, p50 (added p50 / p95)`,
        value: `${quantile(withViz, 0.5).toFixed(0)} ms (+${quantile(added, 0.5).toFixed(0)} / +${quantile(added, 0.95).toFixed(0)} ms)`,
        baseline: `${quantile(without, 0.5).toFixed(0)} ms`,
        ratio: (quantile(withViz, 0.5) / quantile(without, 0.5)).toFixed(2),
        note: `${docs.length} clean documents, each run with and without, order alternating; one OCR worker`,
      });
    }
  } finally {
    await closeDocumentEngine();
  }
  return rows;
}

/** Alternate which run goes first so load drift does not favour one side. */
function i2(k: number): [boolean, boolean] {
  return k % 2 ? [false, true] : [true, false];
}
