// Person-name normalisation and fuzzy comparison, shared by screening (sanctions/PEP lists) and the document/MRZ
// module. Everything reduces names to uppercase ASCII A–Z tokens so Latin, Cyrillic and Greek spellings compare.
import { transliterateChar, transliterateDigraphs } from './transliterate.js';

const MARKS = /\p{M}/gu;
const LETTER = /\p{L}/u;

/**
 * Uppercase ASCII A–Z words separated by single spaces. NFKD + diacritics stripped (É→E, Ö→O), Cyrillic/Greek and
 * special Latin letters transliterated (Ж→ZH, Θ→TH, ß→SS, Ł→L); digits, punctuation, hyphens and apostrophes
 * become separators. Letters of scripts without a table (Arabic, CJK, …) are dropped.
 */
export function normalizeName(s: string): string {
  let out = '';
  for (const ch of transliterateDigraphs(s.normalize('NFKD').replace(MARKS, ''))) {
    const c = ch.charCodeAt(0);
    if (c >= 65 && c <= 90) out += ch;
    else if (c >= 97 && c <= 122) out += String.fromCharCode(c - 32);
    else {
      const t = transliterateChar(ch);
      if (t !== undefined) out += t;
      // An unknown letter inside a word (e.g. Arabic) drops the whole character but not the word boundary.
      else out += LETTER.test(ch) ? '' : ' ';
    }
  }
  return out.replace(/ +/g, ' ').trim();
}

// Forms of address and honorifics that are not part of a name. Kept short on purpose: words like SHEIKH or
// HAJI do appear as name parts on sanctions lists, so they stay.
const HONORIFICS = new Set([
  'MR', 'MRS', 'MS', 'MISS', 'MX', 'DR', 'PROF', 'SIR', 'DAME', 'MME', 'MLLE', 'HERR', 'FRAU', 'SRA', 'SRTA', 'REV',
]);

/** Normalised tokens of a name with honorifics (MR, MRS, DR, …) removed. */
export function nameTokens(s: string): string[] {
  const n = normalizeName(s);
  if (!n) return [];
  return n.split(' ').filter((t) => !HONORIFICS.has(t));
}

// ICAO 9303 Part 3 allows several MRZ spellings for these letters; states differ (Germany writes MÜLLER as
// MUELLER, Spain wrote Ñ as NXX on early passports, many states simply drop the diacritic).
const MRZ_ALTERNATIVES: Record<string, string[]> = {
  Ä: ['AE', 'A'], Ö: ['OE', 'O'], Ü: ['UE', 'U', 'UXX'], Å: ['AA', 'A'], Ø: ['OE', 'O'], Ñ: ['N', 'NXX'],
  Ð: ['D', 'DH'], Æ: ['AE'], Œ: ['OE'], ß: ['SS'], ẞ: ['SS'], Þ: ['TH'],
};
const MAX_MRZ_VARIANTS = 32;

/**
 * The plausible MRZ renderings of a printed name: uppercase A–Z, spaces where the MRZ has `<`, apostrophes
 * omitted (ICAO: O'BRIEN → OBRIEN), and every allowed alternative for Ä/Ö/Ü/Å/Ø/Ñ/Ð. Deduplicated; capped at
 * 32 variants for pathological inputs.
 */
export function mrzNameVariants(s: string): string[] {
  let variants = [''];
  const composed = s.normalize('NFC').replace(/['’‘ʼ`´]/g, '');
  for (const ch of composed) {
    const alts = MRZ_ALTERNATIVES[ch.toUpperCase()] ?? MRZ_ALTERNATIVES[ch];
    const forms = alts ?? [normalizeName(ch) || ' '];
    const next: string[] = [];
    for (const v of variants) for (const f of forms) if (next.length < MAX_MRZ_VARIANTS) next.push(v + f);
    variants = next;
  }
  const out = new Set<string>();
  for (const v of variants) {
    const n = v.replace(/ +/g, ' ').trim();
    if (n) out.add(n);
  }
  return [...out];
}

// Scratch buffers reused across calls: jaroWinkler runs millions of times in a linear scan.
let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

/** Jaro similarity (0..1) of two strings. */
export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (!la || !lb) return 0;
  if (flagsA.length < la) flagsA = new Uint8Array(la * 2);
  if (flagsB.length < lb) flagsB = new Uint8Array(lb * 2);
  flagsA.fill(0, 0, la);
  flagsB.fill(0, 0, lb);
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (!flagsB[j] && b.charCodeAt(j) === c) {
        flagsA[i] = 1;
        flagsB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (!matches) return 0;
  let k = 0;
  let transpositions = 0;
  for (let i = 0; i < la; i++) {
    if (!flagsA[i]) continue;
    while (!flagsB[k]) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const m = matches;
  return (m / la + m / lb + (m - transpositions / 2) / m) / 3;
}

/** Jaro-Winkler (Winkler 1990: prefix scale 0.1, prefix up to 4, boost only above Jaro 0.7). */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j <= 0.7) return j;
  const max = Math.min(4, a.length, b.length);
  let p = 0;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  return j + p * 0.1 * (1 - j);
}

/**
 * Below this Jaro-Winkler two tokens are different words, not spellings of one: JW gives 0.6–0.75 to unrelated
 * names of similar letters (PETROV/PETRENKO-like pairs sit above, JOHN/JANE below), and counting that as
 * partial agreement let one shared first name carry a whole name past 0.8.
 */
export const TOKEN_MATCH_FLOOR = 0.8;

// Spelling differences that come from transliteration conventions rather than from different names
// (Wladimir/Vladimir, Yusuf/Jusuf/Youssef, Philip/Filip, Aleksandr/Alexandr, Catherine/Katherine): PH→F, KS→X,
// CK/C→K (not CH), W→V, Y/J→I, OU/OO→U, EE→I, doubled letters once. One pass: it runs per compared token.
const FOLD_PAIRS: Record<string, string> = { PH: 'F', KS: 'X', CK: 'K', OU: 'U', EE: 'I', OO: 'U' };
const FOLD_ONE: Record<string, string> = { W: 'V', Y: 'I', J: 'I' };

/** A token with transliteration-dependent spellings folded together (uppercase A–Z in, A–Z out). */
export function foldSpelling(token: string): string {
  let out = '';
  let last = '';
  for (let i = 0; i < token.length; i++) {
    const c = token[i]!;
    let f = FOLD_PAIRS[c + (token[i + 1] ?? '')];
    if (f) i++;
    else if (c === 'C') f = token[i + 1] === 'H' ? 'C' : 'K';
    else f = FOLD_ONE[c] ?? c;
    if (f !== last) out += f;
    last = f;
  }
  return out;
}

/**
 * Token similarity: the better of Jaro-Winkler on the tokens and on their folded spellings (pass them when
 * already computed), 0 below TOKEN_MATCH_FLOOR, with a lone initial credited against a word it abbreviates
 * ("J" ~ "JOHN").
 */
export function tokenSimilarity(a: string, b: string, foldedA?: string, foldedB?: string): number {
  if ((a.length === 1 || b.length === 1) && a[0] === b[0]) return a.length === b.length ? 1 : 0.8;
  let jw = jaroWinkler(a, b);
  // Folding moves a few letters; below 0.6 it cannot lift a pair to the floor, so skip the second JW.
  if (jw < 0.97 && jw >= 0.6) jw = Math.max(jw, jaroWinkler(foldedA ?? foldSpelling(a), foldedB ?? foldSpelling(b)));
  return jw < TOKEN_MATCH_FLOOR ? 0 : jw;
}

// An unpaired token costs this fraction of its length, counting at most UNPAIRED_MAX_LETTERS letters: middle
// names and patronymics are often on a list but not on the ID document, so they lower the score without sinking
// it (JOHN SMITH vs JOHN PAUL SMITH ≈ 0.92; a 14-letter ALEKSANDROVICH costs no more than a 6-letter name).
const UNPAIRED_WEIGHT = 0.4;
const UNPAIRED_MAX_LETTERS = 6;

/**
 * Token-order-insensitive similarity of two names, 0..1. Tokens are paired greedily by best Jaro-Winkler
 * (ties are rare and greedy is within a hair of optimal assignment for the ≤6 tokens names have); each pair counts
 * by its length, unpaired tokens count against the score at a reduced weight. Names written with or without
 * spaces (ABDULRAHMAN / ABDUL RAHMAN) are also compared joined.
 */
export function nameSimilarity(a: string, b: string): number {
  return tokenSetSimilarity(nameTokens(a), nameTokens(b));
}

/**
 * The pairing score behind nameSimilarity, over token lengths and a similarity function, so the matcher can
 * feed it similarities it has already computed. Greedy: repeatedly take the best remaining pair.
 */
export function pairedScore(la: readonly number[], lb: readonly number[], sim: (i: number, j: number) => number): number {
  if (!la.length || !lb.length) return 0;
  const m: number[] = [];
  for (let i = 0; i < la.length; i++) for (let j = 0; j < lb.length; j++) m.push(sim(i, j));
  const usedA = new Uint8Array(la.length);
  const usedB = new Uint8Array(lb.length);
  let num = 0;
  let den = 0;
  for (let k = Math.min(la.length, lb.length); k > 0; k--) {
    let best = -1;
    let bi = 0;
    let bj = 0;
    for (let i = 0; i < la.length; i++) {
      if (usedA[i]) continue;
      for (let j = 0; j < lb.length; j++) {
        if (!usedB[j] && m[i * lb.length + j]! > best) {
          best = m[i * lb.length + j]!;
          bi = i;
          bj = j;
        }
      }
    }
    usedA[bi] = 1;
    usedB[bj] = 1;
    num += best * (la[bi]! + lb[bj]!);
    den += la[bi]! + lb[bj]!;
  }
  const unpaired = (len: number) => UNPAIRED_WEIGHT * Math.min(UNPAIRED_MAX_LETTERS, len);
  for (let i = 0; i < la.length; i++) if (!usedA[i]) den += unpaired(la[i]!);
  for (let j = 0; j < lb.length; j++) if (!usedB[j]) den += unpaired(lb[j]!);
  return num / den;
}

// Joined-up comparison only counts when nearly identical: on long strings Jaro-Winkler is generous, and
// "A B" vs "A C D" joined would otherwise score like a match.
const JOINED_MIN = 0.95;

/** Names with different token counts may be the same letters split differently (ABDULRAHMAN / ABDUL RAHMAN). */
export function joinedSimilarity(ta: readonly string[], tb: readonly string[]): number {
  if (ta.length === tb.length) return 0;
  const j = jaroWinkler(ta.join(''), tb.join(''));
  return j >= JOINED_MIN ? j : 0;
}

/** nameSimilarity over already-normalised tokens (and their folded spellings, when the caller keeps them). */
export function tokenSetSimilarity(
  ta: readonly string[],
  tb: readonly string[],
  fa?: readonly string[],
  fb?: readonly string[],
): number {
  if (!ta.length || !tb.length) return 0;
  const fA = fa ?? ta.map(foldSpelling);
  const fB = fb ?? tb.map(foldSpelling);
  const score = pairedScore(
    ta.map((t) => t.length),
    tb.map((t) => t.length),
    (i, j) => tokenSimilarity(ta[i]!, tb[j]!, fA[i], fB[j]),
  );
  return Math.max(score, joinedSimilarity(ta, tb));
}
