// Compares OCR'd printed-zone text with the MRZ. Pure functions: what counts as "the same" under OCR confusions,
// ICAO 9303 Part 3 transliteration and the printed date formats states use.
import { thresholds } from '../../thresholds.js';

const T = thresholds.document.vizMrz;

/** Characters the OCR (and the eye) confuse, mapped to one representative: O/Q/D/0, I/L/1, Z/2, S/5, G/6, B/8. */
const CONFUSABLE: Record<string, string> = { O: '0', Q: '0', D: '0', I: '1', L: '1', Z: '2', S: '5', G: '6', B: '8' };

/** Letter pairs the OCR reads as one glyph (and back): VV/W, RN/M. */
const PAIRS: [RegExp, string][] = [[/VV/g, 'W'], [/RN/g, 'M']];

/** Uppercase A–Z0–9 only, VV/RN folded to W/M, each confusable character replaced by its class representative. */
export function confusionKey(s: string): string {
  let t = s.toUpperCase().replace(/[^A-Z0-9]/g, '');
  for (const [re, to] of PAIRS) t = t.replace(re, to);
  let out = '';
  for (const ch of t) out += CONFUSABLE[ch] ?? ch;
  return out;
}

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

// ---- dates -------------------------------------------------------------------------------------------------

// Month abbreviations printed on data pages (English, French, German, Spanish, Italian, Dutch, Portuguese,
// Scandinavian), ICAO's bilingual form "AUG/AOÛT" included by matching either half.
const MONTHS: Record<string, number> = {};
const NAMES = [
  ['JAN', 'JANV', 'ENE', 'GEN', 'JAN'], ['FEB', 'FEV', 'FEVR', 'FEBR'], ['MAR', 'MARS', 'MRZ', 'MAAR', 'MARZ'],
  ['APR', 'AVR', 'AVRIL', 'ABR', 'APRIL'], ['MAY', 'MAI', 'MAG', 'MEI', 'MAIO', 'MAJ'], ['JUN', 'JUIN', 'GIU', 'JUNI'],
  ['JUL', 'JUIL', 'LUG', 'JULI'], ['AUG', 'AOUT', 'AOU', 'AGO', 'AUGUSTI'], ['SEP', 'SEPT', 'SET'],
  ['OCT', 'OKT', 'OTT', 'OUT'], ['NOV'], ['DEC', 'DEZ', 'DIC', 'DES'],
];
NAMES.forEach((ns, i) => ns.forEach((n) => (MONTHS[n] = i + 1)));
const TO_DIGIT: Record<string, string> = { O: '0', Q: '0', D: '0', I: '1', L: '1', J: '1', Z: '2', S: '5', G: '6', B: '8', T: '7' };
const TO_LETTER: Record<string, string> = { '0': 'O', '1': 'I', '5': 'S', '8': 'B', '6': 'G', '2': 'Z' };

export interface PrintedDate {
  day: number;
  month: number;
  /** Two- or four-digit year as printed. */
  year: number;
  yearDigits: 2 | 4;
  /** Numeric day.month dates could also be month.day (US order); the other reading, when valid. */
  swapped?: { day: number; month: number };
}

const digits = (s: string): string => s.replace(/[A-Z]/g, (c) => TO_DIGIT[c] ?? c);

function monthOf(word: string): number | null {
  const w = word.replace(/[0-9]/g, (c) => TO_LETTER[c] ?? c);
  for (const half of w.split('/')) {
    if (MONTHS[half]) return MONTHS[half];
    // One misread letter, if it leaves a single candidate (JUI → JUL, JUIN stays JUIN).
    const near = Object.keys(MONTHS).filter((m) => m.length === half.length && half.length >= 3 && editDistance(m, half) === 1);
    const months = new Set(near.map((m) => MONTHS[m]));
    if (months.size === 1) return [...months][0]!;
  }
  return null;
}

function valid(d: PrintedDate): PrintedDate | null {
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31) return null;
  return d;
}

/**
 * Every date in a printed line: "12 MAR 1985", "12 MAR/MARS 85", "12.03.1985", "12/03/85", "12-03-1985",
 * "1985-03-12", "12 03 1985". Digits inside dates are read through the OCR confusions (O→0, I→1, S→5, B→8 …).
 */
export function parseDates(line: string): PrintedDate[] {
  const text = line.toUpperCase().replace(/[,]/g, ' ');
  const out: PrintedDate[] = [];
  const D = '[0-9OQDILJZSGBT]';
  const named = new RegExp(`(${D}{1,2})\\s*([A-Z0-9]{3,5}?(?:\\s*/\\s*[A-Z0-9]{3,5}?)?)\\s*(${D}{4}|${D}{2})(?![0-9])`, 'g');
  for (const m of text.matchAll(named)) {
    const month = monthOf(m[2]!.replace(/\s/g, ''));
    if (!month) continue;
    const y = digits(m[3]!);
    const d = valid({ day: Number(digits(m[1]!)), month, year: Number(y), yearDigits: y.length === 4 ? 4 : 2 });
    if (d) out.push(d);
  }
  if (out.length) return out;
  const iso = new RegExp(`(${D}{4})[-./](${D}{2})[-./](${D}{2})`, 'g');
  for (const m of text.matchAll(iso)) {
    const d = valid({ day: Number(digits(m[3]!)), month: Number(digits(m[2]!)), year: Number(digits(m[1]!)), yearDigits: 4 });
    if (d) out.push(d);
  }
  if (out.length) return out;
  const numeric = new RegExp(`(${D}{1,2})\\s*[-./ ]\\s*(${D}{1,2})\\s*[-./ ]\\s*(${D}{4}|${D}{2})(?![0-9])`, 'g');
  for (const m of text.matchAll(numeric)) {
    const a = Number(digits(m[1]!));
    const b = Number(digits(m[2]!));
    const y = digits(m[3]!);
    const d = valid({ day: a, month: b, year: Number(y), yearDigits: y.length === 4 ? 4 : 2 });
    const swapped = a <= 12 && b <= 31 && a !== b ? { day: b, month: a } : undefined;
    if (d) out.push(swapped ? { ...d, swapped } : d);
    else if (swapped) out.push({ day: b, month: a, year: Number(y), yearDigits: y.length === 4 ? 4 : 2 });
  }
  return out;
}

/** Whether a printed date is the MRZ date (ISO YYYY-MM-DD); two-digit years compare on their last two digits. */
export function sameDate(p: PrintedDate, iso: string): boolean {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  const yearOk = p.yearDigits === 4 ? p.year === y : p.year === y % 100;
  return yearOk && ((p.day === d && p.month === m) || (p.swapped?.day === d && p.swapped.month === m));
}

// ---- document number ---------------------------------------------------------------------------------------

/** The MRZ number printed in `line` (spaces ignored, OCR confusions allowed). */
export function containsNumber(line: string, mrzNumber: string): boolean {
  const want = confusionKey(mrzNumber);
  return want.length > 0 && confusionKey(line).includes(want);
}

/**
 * Tokens shaped like a document number (≥ 6 letters/digits with at least 2 digits, not a date) whose confusion key
 * is within 1..nearNumberEdits edits of the MRZ number: the MRZ number with characters changed, i.e. an edited number.
 */
export function nearNumbers(line: string, mrzNumber: string): string[] {
  const want = confusionKey(mrzNumber);
  return line
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((t) => t.length >= 6 && (t.match(/[0-9]/g)?.length ?? 0) >= 2)
    .filter((t) => {
      const dist = editDistance(confusionKey(t), want);
      return dist >= 1 && dist <= T.nearNumberEdits;
    });
}

// ---- names -------------------------------------------------------------------------------------------------

/**
 * Forms the printed name can take when OCR'd without diacritics, given the MRZ spelling (ICAO 9303 Part 3):
 * Ä/Ö/Ü/Å/Ø written AE/OE/UE/AA/OE in the MRZ print as one letter (read as A/O/U by an ASCII OCR), ß (MRZ SS)
 * reads as B or S. Spaces and fillers dropped.
 */
export function printedNameForms(mrzName: string): string[] {
  const base = nameKey(mrzName);
  const rules: [RegExp, string[]][] = [[/AE/g, ['A']], [/OE/g, ['O']], [/UE/g, ['U']], [/AA/g, ['A']], [/SS/g, ['B', 'S']]];
  let forms = new Set([base]);
  for (const [re, subs] of rules) {
    const next = new Set(forms);
    for (const f of forms) for (const s of subs) next.add(f.replace(re, s));
    forms = next;
  }
  return [...forms];
}

/** Letters only, with digit look-alikes read as letters (0→O, 1→I, 5→S, 8→B). */
export function nameKey(s: string): string {
  let t = s
    .toUpperCase()
    .replace(/[0-9]/g, (c) => TO_LETTER[c] ?? '')
    .replace(/[^A-Z]/g, '');
  for (const [re, to] of PAIRS) t = t.replace(re, to);
  return t;
}

/**
 * Whether a printed line spells the MRZ name: one OCR slip per nameLettersPerSlip letters allowed, and a printed name may run
 * past a truncated MRZ name (the MRZ cuts long names at the line's end).
 */
export function sameName(printed: string, mrzName: string): boolean {
  const forms = printedNameForms(mrzName).filter((f) => f);
  // Any run of whole words: a line can pick up a stray mark or a neighbouring field's word.
  const words = printed.split(/\s+/).filter((w) => w);
  for (let i = 0; i < words.length; i++) {
    for (let j = i + 1; j <= words.length; j++) {
      const p = nameKey(words.slice(i, j).join(''));
      if (!p) continue;
      const hit = forms.some((f) => {
        const slack = Math.max(1, Math.floor(f.length / T.nameLettersPerSlip));
        return editDistance(p, f) <= slack || (f.length >= 8 && p.startsWith(f));
      });
      if (hit) return true;
    }
  }
  return false;
}
