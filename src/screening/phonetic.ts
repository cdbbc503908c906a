// Blocking keys for name tokens. A key only has to bring the right candidates together; the score comes from
// Jaro-Winkler afterwards. The phonetic key is a Soundex-like consonant skeleton tuned for transliterated names:
// vowels, Y and H carry no sound class (AHMED/AHMAD, YEVGENIY/EVGENII, HUSSEIN/HUSAYN agree), W sounds like V
// (KOWALSKI/KOVALSKY), and the first letter is coded by class too, so CATHERINE/KATHERINE and PH/F still meet.
import { foldSpelling } from '../text/names.js';

const CLASS: Record<string, string> = {
  B: '1', P: '1', F: '1', V: '1', W: '1',
  C: '2', G: '2', J: '2', K: '2', Q: '2', S: '2', X: '2', Z: '2',
  D: '3', T: '3',
  L: '4',
  M: '5', N: '5',
  R: '6',
};

const KEY_LENGTH = 5;

/** Phonetic skeleton of an uppercase A–Z token: 'V' when it starts with a vowel sound, then ≤5 class digits. */
export function phoneticKey(token: string): string {
  let key = '';
  let last = '';
  for (let i = 0; i < token.length && key.length < KEY_LENGTH; i++) {
    let ch = token[i]!;
    if (ch === 'P' && token[i + 1] === 'H') {
      ch = 'F';
      i++;
    }
    const c = CLASS[ch];
    if (c === undefined) {
      // Vowels separate repeated classes (Soundex rule); H does not.
      if (ch !== 'H') last = '';
      continue;
    }
    if (c !== last) key += c;
    last = c;
  }
  const first = token[0];
  const vowelStart = first !== undefined && CLASS[first] === undefined && !(first === 'P' && token[1] === 'H');
  return (vowelStart ? 'V' : '') + key;
}

/**
 * Every blocking key of a token: its phonetic key, and the first and last three letters of its folded spelling. Independent
 * keys mean one typo cannot hide a candidate: it would have to break all three (VIKVEIER/VIAVEIER share only
 * the ending, KOWALSKI/KOVALSKY the phonetic key, MOHAMMED/MOHAMED all three). Tokens of one or two letters
 * (initials, AL, DE, EL) get no key: they would block together half the list, and they still count in the score.
 */
export function blockingKeys(token: string): string[] {
  if (token.length <= 2) return [];
  const f = foldSpelling(token);
  return [`p${phoneticKey(token)}`, `x${f.slice(0, 3)}`, `s${f.slice(-3)}`];
}
