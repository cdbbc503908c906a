// Turns raw OCR text into MRZ line candidates: exact ICAO line lengths, and OCR confusions undone only where the
// field type decides (a letter in a date is a misread digit). Check digits are never recomputed or "corrected".
import { formatOf, MRZ_FIELDS, MRZ_SHAPE, type MrzFormat } from './icao.js';

const TO_DIGIT: Record<string, string> = { O: '0', Q: '0', D: '0', I: '1', L: '1', Z: '2', S: '5', G: '6', B: '8' };
const TO_LETTER: Record<string, string> = { '0': 'O', '1': 'I', '2': 'Z', '5': 'S', '6': 'G', '8': 'B' };

/** Undo digit/letter confusions in fields whose ICAO type allows only one of the two. */
export function fixConfusions(lines: readonly string[], format: MrzFormat): string[] {
  const out = lines.map((l) => l.split(''));
  for (const span of Object.values(MRZ_FIELDS[format])) {
    const map = span.kind === 'numeric' ? TO_DIGIT : span.kind === 'alpha' ? TO_LETTER : null;
    if (!map) continue;
    const line = out[span.line];
    if (!line) continue;
    for (let i = span.start; i < span.end; i++) {
      const c = line[i];
      if (c !== undefined && map[c]) line[i] = map[c];
    }
  }
  return out.map((l) => l.join(''));
}

/** Raw OCR text → lines of MRZ characters (at least 20 long; shorter ones are noise from the page edge). */
export function splitLines(raw: string): string[] {
  return raw
    .split('\n')
    .map((l) => l.replace(/[^A-Z0-9<]/g, ''))
    .filter((l) => l.length >= 20);
}

/**
 * Variants of `line` with exactly `len` characters. Missing or extra characters almost always come from a run of
 * fillers (<<<<) read one too long or short, so the run lengths are adjusted; trailing fillers first.
 */
export function fitLength(line: string, len: number): string[] {
  const d = len - line.length;
  if (d === 0) return [line];
  const runs: { start: number; end: number }[] = [];
  for (const m of line.matchAll(/<{2,}/g)) runs.push({ start: m.index!, end: m.index! + m[0].length });
  const out: string[] = [];
  for (const r of runs.reverse()) {
    if (d < 0 && r.end - r.start + d < 1) continue;
    const run = '<'.repeat(r.end - r.start + d);
    out.push(line.slice(0, r.start) + run + line.slice(r.end));
  }
  if (!out.length && d > 0) out.push(line + '<'.repeat(d));
  return out.slice(0, 4);
}

/** Candidate cleaned MRZs (formatOf() !== null) for a raw OCR text, most plausible first. */
export function mrzCandidates(raw: string): { format: MrzFormat; lines: string[] }[] {
  const lines = splitLines(raw);
  const out: { format: MrzFormat; lines: string[] }[] = [];
  for (const format of ['TD3', 'TD2', 'TD1'] as const) {
    const { lines: n, length } = MRZ_SHAPE[format];
    if (lines.length < n) continue;
    const picked = lines.slice(-n); // the MRZ is the bottom of the crop
    // Accept only near-fits: a 36-character line must not be stretched into a 44-character one.
    if (picked.some((l) => Math.abs(l.length - length) > 3)) continue;
    let combos: string[][] = [[]];
    for (const l of picked) combos = combos.flatMap((c) => fitLength(l, length).map((v) => [...c, v])).slice(0, 16);
    for (const c of combos) if (formatOf(c) === format) out.push({ format, lines: fixConfusions(c, format) });
  }
  return out;
}
