// How birth date and nationality move a name score, with a human-readable reason for each step.
import { screeningThresholds } from './thresholds.js';
import type { BirthDateMatch, NationalityMatch } from './types.js';

const t = screeningThresholds;

/** Query date ('YYYY-MM-DD' or a prefix) against the entry's dates ('YYYY-MM-DD' | 'YYYY-MM' | 'YYYY'). */
export function compareBirthDate(query: string | undefined, entry: readonly string[]): BirthDateMatch {
  if (!query || !entry.length) return 'unknown';
  const qYear = query.slice(0, 4);
  let sameYear = false;
  for (const d of entry) {
    if (d === query && d.length === 10) return 'match';
    if (d.slice(0, 4) === qYear) sameYear = true;
  }
  return sameYear ? 'year_match' : 'mismatch';
}

/** Query alpha-2 against the entry's alpha-2 nationalities. */
export function compareNationality(query: string | undefined, entry: readonly string[]): NationalityMatch {
  if (!query || !entry.length) return 'unknown';
  return entry.includes(query) ? 'match' : 'mismatch';
}

export interface Scored {
  score: number;
  reasons: string[];
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

export function combineScore(
  nameScore: number,
  matchedName: string,
  birthDate: BirthDateMatch,
  nationality: NationalityMatch,
): Scored {
  const reasons = [`name "${matchedName}" is ${pct(nameScore)} similar`];
  let score = nameScore;
  if (birthDate === 'match') {
    score += t.birthDateMatch;
    reasons.push('same birth date');
  } else if (birthDate === 'year_match') {
    score += t.birthYearMatch;
    reasons.push('same birth year');
  } else if (birthDate === 'mismatch') {
    score += t.birthDateMismatch;
    reasons.push('listed birth date differs');
  }
  if (nationality === 'match') {
    score += t.nationalityMatch;
    reasons.push('same nationality');
  } else if (nationality === 'mismatch') {
    score += t.nationalityMismatch;
    reasons.push('listed nationality differs');
  }
  return { score: Math.round(Math.min(1, Math.max(0, score)) * 1000) / 1000, reasons };
}
