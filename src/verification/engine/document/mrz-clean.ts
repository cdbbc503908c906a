// Turns raw OCR text into MRZ line candidates: exact ICAO line lengths, and OCR confusions undone only where the
// field type decides (a letter in a date is a misread digit). Check digits are never recomputed or "corrected".
import { formatOf, MRZ_FIELDS, MRZ_SHAPE, type MrzFormat } from './icao.js';
import type { Bbox } from './mrz-glyphs.js';

/** One OCR'd line: its MRZ characters and, when known, each character's box in the OCR input image. */
export interface OcrLine {
  text: string;
  boxes?: (Bbox | null)[];
}

export interface MrzCandidate {
  format: MrzFormat;
  lines: string[];
  /** Per line, per character: the glyph's box (null for padding inserted by length fitting or unknown). */
  boxes: (Bbox | null)[][];
}

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
  return fitLine({ text: line }, len).map((f) => f.text);
}

function fitLine(line: OcrLine, len: number): { text: string; boxes: (Bbox | null)[] }[] {
  const text = line.text;
  const boxes = line.boxes?.length === text.length ? line.boxes : text.split('').map(() => null);
  const d = len - text.length;
  if (d === 0) return [{ text, boxes }];
  const runs: { start: number; end: number }[] = [];
  for (const m of text.matchAll(/<{2,}/g)) runs.push({ start: m.index, end: m.index + m[0].length });
  const out: { text: string; boxes: (Bbox | null)[] }[] = [];
  for (const r of runs.reverse()) {
    const n = r.end - r.start + d;
    if (n < 1) continue;
    out.push({
      text: text.slice(0, r.start) + '<'.repeat(n) + text.slice(r.end),
      boxes: [...boxes.slice(0, r.start), ...Array<null>(n).fill(null), ...boxes.slice(r.end)],
    });
  }
  if (!out.length && d > 0) out.push({ text: text + '<'.repeat(d), boxes: [...boxes, ...Array<null>(d).fill(null)] });
  return out.slice(0, 4);
}

/** Candidate cleaned MRZs (formatOf() !== null) for OCR output, most plausible first. */
export function mrzCandidates(input: string | readonly OcrLine[]): MrzCandidate[] {
  const lines = typeof input === 'string' ? splitLines(input).map((text) => ({ text })) : input.filter((l) => l.text.length >= 20);
  const out: MrzCandidate[] = [];
  for (const format of ['TD3', 'TD2', 'TD1'] as const) {
    const { lines: n, length } = MRZ_SHAPE[format];
    if (lines.length < n) continue;
    const picked = lines.slice(-n); // the MRZ is the bottom of the crop
    // Accept only near-fits: a 36-character line must not be stretched into a 44-character one.
    if (picked.some((l) => Math.abs(l.text.length - length) > 3)) continue;
    let combos: { text: string; boxes: (Bbox | null)[] }[][] = [[]];
    for (const l of picked) combos = combos.flatMap((c) => fitLine(l, length).map((v) => [...c, v])).slice(0, 16);
    for (const c of combos) {
      const texts = c.map((l) => l.text);
      if (formatOf(texts) === format) out.push({ format, lines: fixConfusions(texts, format), boxes: c.map((l) => l.boxes) });
    }
  }
  return out;
}
