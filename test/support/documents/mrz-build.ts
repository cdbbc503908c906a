// Builds ICAO 9303 MRZ lines from document fields, with correct 7-3-1 check digits, or deliberately stale ones when
// a field is "tampered" (edited after the check digits were computed, as a forger editing one field would).
import { mrzNameVariants } from '../../../src/text/names.js';
import { checkDigit, compositeData, type MrzFormat } from '../../../src/verification/engine/document/icao.js';
import type { DocumentFields } from './fields.js';

export type TamperableField = 'documentNumber' | 'birthDate' | 'expiryDate' | 'optionalData';
export type Tamper = Partial<Pick<DocumentFields, TamperableField>>;

const pad = (s: string, n: number): string => (s.length >= n ? s.slice(0, n) : s + '<'.repeat(n - s.length));
const cd = (s: string): string => {
  const d = checkDigit(s);
  if (d === null) throw new Error(`not MRZ characters: ${s}`);
  return d;
};
const yymmdd = (iso: string): string => iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);

/** ICAO transliteration of a printed name part (first = recommended variant, e.g. MÜLLER → MUELLER). */
export function mrzName(printed: string): string {
  const v = mrzNameVariants(printed)[0] ?? '';
  return v.replace(/ /g, '<');
}

export function nameField(f: DocumentFields, width: number): string {
  const given = mrzName(f.givenNames);
  return pad(mrzName(f.surname) + (given ? '<<' + given : ''), width);
}

/** Field text as printed, with the check digit taken from `signed` (the values before tampering). */
function part(printed: string, signed: string, width: number): { text: string; check: string } {
  return { text: pad(printed, width), check: cd(pad(signed, width)) };
}

export function buildMrz(format: MrzFormat, f: DocumentFields, tamper: Tamper = {}): string[] {
  const shown = { ...f, ...tamper };
  const num = part(shown.documentNumber, f.documentNumber, 9);
  const dob = part(yymmdd(shown.birthDate), yymmdd(f.birthDate), 6);
  const exp = part(yymmdd(shown.expiryDate), yymmdd(f.expiryDate), 6);
  const sex = f.sex === 'X' ? '<' : f.sex;
  let lines: string[];
  // Composite digits are computed on the signed (pre-tamper) lines, then the tampered text is put in place.
  const compose = (signedLines: string[], shownLines: string[], pos: { line: number; at: number }): string[] => {
    const c = cd(compositeData(format, signedLines));
    const out = [...shownLines];
    const l = out[pos.line]!;
    out[pos.line] = l.slice(0, pos.at) + c + l.slice(pos.at + 1);
    return out;
  };
  if (format === 'TD3') {
    const l1 = 'P<' + pad(f.issuingState, 3) + nameField(f, 39);
    const optShown = pad(shown.optionalData, 14);
    const optSigned = pad(f.optionalData, 14);
    const optCheck = /^<+$/.test(optSigned) ? '<' : cd(optSigned);
    const line2 = (n: string, d: string, e: string, o: string) =>
      n + num.check + pad(f.nationality, 3) + d + dob.check + sex + e + exp.check + o + optCheck + '0';
    const signed = [l1, line2(pad(f.documentNumber, 9), yymmdd(f.birthDate), yymmdd(f.expiryDate), optSigned)];
    lines = compose(signed, [l1, line2(num.text, dob.text, exp.text, optShown)], { line: 1, at: 43 });
  } else if (format === 'TD2') {
    const l1 = 'I<' + pad(f.issuingState, 3) + nameField(f, 31);
    const line2 = (n: string, d: string, e: string, o: string) =>
      n + num.check + pad(f.nationality, 3) + d + dob.check + sex + e + exp.check + pad(o, 7) + '0';
    const signed = [l1, line2(pad(f.documentNumber, 9), yymmdd(f.birthDate), yymmdd(f.expiryDate), f.optionalData)];
    lines = compose(signed, [l1, line2(num.text, dob.text, exp.text, shown.optionalData)], { line: 1, at: 35 });
  } else {
    const line1 = (n: string, o: string) => 'ID' + pad(f.issuingState, 3) + n + num.check + pad(o, 15);
    const line2 = (d: string, e: string) => d + dob.check + sex + e + exp.check + pad(f.nationality, 3) + pad('', 11) + '0';
    const l3 = nameField(f, 30);
    const signed = [line1(pad(f.documentNumber, 9), f.optionalData), line2(yymmdd(f.birthDate), yymmdd(f.expiryDate)), l3];
    const shownLines = [line1(num.text, shown.optionalData), line2(dob.text, exp.text), l3];
    lines = compose(signed, shownLines, { line: 1, at: 29 });
  }
  return lines;
}
