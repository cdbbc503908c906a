// ICAO Doc 9303 machine-readable zone layouts and the 7-3-1 check digit (Part 3 §4.9). Pure functions shared by the
// parser, the OCR post-processor and the test document generator.

export type MrzFormat = 'TD1' | 'TD2' | 'TD3';

/** Lines × characters per format (Part 5: TD1, Part 6: TD2, Part 4: TD3). */
export const MRZ_SHAPE: Record<MrzFormat, { lines: number; length: number }> = {
  TD1: { lines: 3, length: 30 },
  TD2: { lines: 2, length: 36 },
  TD3: { lines: 2, length: 44 },
};

export const MRZ_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<';

function charValue(c: string): number {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'A' && c <= 'Z') return c.charCodeAt(0) - 55;
  if (c === '<') return 0;
  return -1;
}

/** The 7-3-1 check digit of `data`, or null when `data` holds a character outside the MRZ alphabet. */
export function checkDigit(data: string): string | null {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = charValue(data[i]!);
    if (v < 0) return null;
    sum += v * weights[i % 3]!;
  }
  return String(sum % 10);
}

/** A field's kind decides which OCR confusions may be undone: digits in numeric fields, letters in alpha fields.
 * Numeric fields may still hold the filler '<' (empty optional-data check, long-number marker). */
export type FieldKind = 'numeric' | 'alpha' | 'alnum' | 'sex';

export interface FieldSpan {
  line: number;
  start: number;
  end: number; // exclusive
  kind: FieldKind;
}

/** Character spans of every field, per format. Used for OCR clean-up; the parser slices the same positions. */
export const MRZ_FIELDS: Record<MrzFormat, Record<string, FieldSpan>> = {
  TD3: {
    documentCode: { line: 0, start: 0, end: 2, kind: 'alpha' },
    issuingState: { line: 0, start: 2, end: 5, kind: 'alpha' },
    names: { line: 0, start: 5, end: 44, kind: 'alpha' },
    documentNumber: { line: 1, start: 0, end: 9, kind: 'alnum' },
    documentNumberCheck: { line: 1, start: 9, end: 10, kind: 'numeric' },
    nationality: { line: 1, start: 10, end: 13, kind: 'alpha' },
    birthDate: { line: 1, start: 13, end: 19, kind: 'numeric' },
    birthDateCheck: { line: 1, start: 19, end: 20, kind: 'numeric' },
    sex: { line: 1, start: 20, end: 21, kind: 'sex' },
    expiryDate: { line: 1, start: 21, end: 27, kind: 'numeric' },
    expiryDateCheck: { line: 1, start: 27, end: 28, kind: 'numeric' },
    optionalData: { line: 1, start: 28, end: 42, kind: 'alnum' },
    optionalDataCheck: { line: 1, start: 42, end: 43, kind: 'numeric' }, // '<' allowed when optional data is empty
    compositeCheck: { line: 1, start: 43, end: 44, kind: 'numeric' },
  },
  TD2: {
    documentCode: { line: 0, start: 0, end: 2, kind: 'alpha' },
    issuingState: { line: 0, start: 2, end: 5, kind: 'alpha' },
    names: { line: 0, start: 5, end: 36, kind: 'alpha' },
    documentNumber: { line: 1, start: 0, end: 9, kind: 'alnum' },
    documentNumberCheck: { line: 1, start: 9, end: 10, kind: 'numeric' }, // '<' when the number continues
    nationality: { line: 1, start: 10, end: 13, kind: 'alpha' },
    birthDate: { line: 1, start: 13, end: 19, kind: 'numeric' },
    birthDateCheck: { line: 1, start: 19, end: 20, kind: 'numeric' },
    sex: { line: 1, start: 20, end: 21, kind: 'sex' },
    expiryDate: { line: 1, start: 21, end: 27, kind: 'numeric' },
    expiryDateCheck: { line: 1, start: 27, end: 28, kind: 'numeric' },
    optionalData: { line: 1, start: 28, end: 35, kind: 'alnum' },
    compositeCheck: { line: 1, start: 35, end: 36, kind: 'numeric' },
  },
  TD1: {
    documentCode: { line: 0, start: 0, end: 2, kind: 'alpha' },
    issuingState: { line: 0, start: 2, end: 5, kind: 'alpha' },
    documentNumber: { line: 0, start: 5, end: 14, kind: 'alnum' },
    documentNumberCheck: { line: 0, start: 14, end: 15, kind: 'numeric' }, // '<' when the number continues
    optionalData: { line: 0, start: 15, end: 30, kind: 'alnum' },
    birthDate: { line: 1, start: 0, end: 6, kind: 'numeric' },
    birthDateCheck: { line: 1, start: 6, end: 7, kind: 'numeric' },
    sex: { line: 1, start: 7, end: 8, kind: 'sex' },
    expiryDate: { line: 1, start: 8, end: 14, kind: 'numeric' },
    expiryDateCheck: { line: 1, start: 14, end: 15, kind: 'numeric' },
    nationality: { line: 1, start: 15, end: 18, kind: 'alpha' },
    optionalData2: { line: 1, start: 18, end: 29, kind: 'alnum' },
    compositeCheck: { line: 1, start: 29, end: 30, kind: 'numeric' },
    names: { line: 2, start: 0, end: 30, kind: 'alpha' },
  },
};

/** The text the composite check digit covers (Part 4 §4.2.2.2, Part 5 §4.2.2.2, Part 6 §4.2.2.2). */
export function compositeData(format: MrzFormat, lines: readonly string[]): string {
  const [l1 = '', l2 = ''] = lines;
  if (format === 'TD1') return l1.slice(5, 30) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29);
  if (format === 'TD2') return l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 35);
  return l2.slice(0, 10) + l2.slice(13, 20) + l2.slice(21, 43);
}

/** The MRZ format implied by a set of cleaned lines, or null when the shape matches none. */
export function formatOf(lines: readonly string[]): MrzFormat | null {
  for (const f of ['TD1', 'TD2', 'TD3'] as const) {
    const s = MRZ_SHAPE[f];
    if (lines.length === s.lines && lines.every((l) => l.length === s.length)) return f;
  }
  return null;
}
