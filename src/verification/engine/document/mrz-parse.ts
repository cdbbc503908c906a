// Parse a cleaned MRZ (TD1/TD2/TD3) and verify every ICAO 9303 check digit ourselves: the `mrz` package rejects
// specimen states like UTO outright, and we want per-field results either way.
import { checkDigit, compositeData, formatOf, MRZ_FIELDS, type MrzFormat } from './icao.js';

export type DocumentType = 'passport' | 'id_card' | 'td2';
export type CheckedField = 'documentNumber' | 'birthDate' | 'expiryDate' | 'optionalData' | 'composite';

export interface CheckDigitResult {
  field: CheckedField;
  valid: boolean;
  /** The digit printed in the MRZ. */
  found: string;
  /** The digit computed from the field, null when the field holds characters outside the MRZ alphabet. */
  expected: string | null;
}

export interface MrzFields {
  format: MrzFormat;
  documentType: DocumentType;
  documentCode: string;
  issuingState: string;
  /** Raw document number: internal only, mask it before it leaves the engine. */
  documentNumber: string;
  nationality: string;
  /** ISO dates (YYYY-MM-DD) with the century resolved against `now`; null when unreadable. */
  birthDate: string | null;
  expiryDate: string | null;
  sex: 'M' | 'F' | 'X';
  surname: string;
  givenNames: string;
  optionalData: string;
}

export interface MrzParseResult {
  fields: MrzFields;
  checkDigits: CheckDigitResult[];
  /** Structural problems (bad date, unknown code, bad sex marker); empty when the layout is sound. */
  formatErrors: string[];
  /** Null when the expiry date is unreadable. */
  expired: boolean | null;
  ageYears: number | null;
}

const slice = (lines: readonly string[], f: MrzFormat, name: string): string => {
  const s = MRZ_FIELDS[f][name];
  if (!s) throw new Error(`no field ${name} in ${f}`);
  return (lines[s.line] ?? '').slice(s.start, s.end);
};
const trimFill = (s: string): string => s.replace(/<+$/, '').replace(/</g, ' ').trim();

/** YYMMDD → {y2, m, d} if it is a real calendar day for some century. */
function splitDate(s: string): { yy: number; mm: number; dd: number } | null {
  if (!/^\d{6}$/.test(s)) return null;
  const yy = Number(s.slice(0, 2));
  const mm = Number(s.slice(2, 4));
  const dd = Number(s.slice(4, 6));
  if (mm < 1 || mm > 12 || dd < 1 || dd > 31) return null;
  return { yy, mm, dd };
}

function iso(y: number, m: number, d: number): string | null {
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCMonth() !== m - 1) return null; // 31 February etc.
  return dt.toISOString().slice(0, 10);
}

/** Birth dates are in the past: take the latest century that does not put the date after `now`. */
export function resolveBirthDate(s: string, now: Date): string | null {
  const p = splitDate(s);
  if (!p) return null;
  const today = now.toISOString().slice(0, 10);
  const base = Math.floor(now.getUTCFullYear() / 100) * 100;
  const candidate = iso(base + p.yy, p.mm, p.dd);
  if (candidate && candidate <= today) return candidate;
  return iso(base - 100 + p.yy, p.mm, p.dd);
}

/** Expiry dates lie within ±50 years of `now` (passports run 10 years, some ID cards "unlimited" ≈ far future). */
export function resolveExpiryDate(s: string, now: Date): string | null {
  const p = splitDate(s);
  if (!p) return null;
  const year = now.getUTCFullYear();
  let y = Math.floor(year / 100) * 100 + p.yy;
  if (y > year + 50) y -= 100;
  else if (y < year - 50) y += 100;
  return iso(y, p.mm, p.dd);
}

export function ageOn(birthIso: string, now: Date): number {
  const [y, m, d] = birthIso.split('-').map(Number) as [number, number, number];
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d)) age--;
  return age;
}

function digit(field: CheckedField, data: string, found: string): CheckDigitResult {
  const expected = checkDigit(data);
  return { field, valid: expected !== null && expected === found, found, expected };
}

/** TD1/TD2 numbers longer than 9 characters: '<' in the check position, the rest + its check digit in optional data. */
function documentNumberOf(lines: readonly string[], f: MrzFormat): { number: string; check: string; optional: string } {
  const head = slice(lines, f, 'documentNumber');
  const check = slice(lines, f, 'documentNumberCheck');
  const optional = slice(lines, f, 'optionalData');
  if (f !== 'TD3' && check === '<') {
    const tail = optional.split('<')[0] ?? '';
    if (tail.length >= 2) {
      return { number: head.replace(/<+$/, '') + tail.slice(0, -1), check: tail.slice(-1), optional: optional.slice(tail.length) };
    }
  }
  return { number: head, check, optional };
}

const DOC_TYPE: Record<MrzFormat, DocumentType> = { TD1: 'id_card', TD2: 'td2', TD3: 'passport' };

/** Parse cleaned MRZ lines. Returns null when the lines match no ICAO format. */
export function parseMrz(lines: readonly string[], now: Date): MrzParseResult | null {
  const f = formatOf(lines);
  if (!f) return null;
  const errors: string[] = [];
  const code = slice(lines, f, 'documentCode');
  const allowed = f === 'TD3' ? /^P/ : /^[IAC]/;
  if (!allowed.test(code)) errors.push(`document code ${code} is not an identity document for ${f}`);

  const num = documentNumberOf(lines, f);
  const dobRaw = slice(lines, f, 'birthDate');
  const expRaw = slice(lines, f, 'expiryDate');
  const checks: CheckDigitResult[] = [
    digit('documentNumber', num.number.length > 9 ? num.number : slice(lines, f, 'documentNumber'), num.check),
    digit('birthDate', dobRaw, slice(lines, f, 'birthDateCheck')),
    digit('expiryDate', expRaw, slice(lines, f, 'expiryDateCheck')),
  ];
  if (f === 'TD3') {
    const opt = slice(lines, f, 'optionalData');
    const found = slice(lines, f, 'optionalDataCheck');
    // An empty personal-number field may carry '<' instead of 0 (Part 4 §4.2.2.1 note).
    const emptyOk = /^<+$/.test(opt) && found === '<';
    checks.push(emptyOk ? { field: 'optionalData', valid: true, found, expected: '0' } : digit('optionalData', opt, found));
  }
  checks.push(digit('composite', compositeData(f, lines), slice(lines, f, 'compositeCheck')));

  const birthDate = resolveBirthDate(dobRaw, now);
  const expiryDate = resolveExpiryDate(expRaw, now);
  if (!birthDate) errors.push('birth date is not a valid date');
  if (!expiryDate) errors.push('expiry date is not a valid date');
  const sexRaw = slice(lines, f, 'sex');
  if (!/^[MFX<]$/.test(sexRaw)) errors.push(`sex marker ${sexRaw} is not M, F, X or <`);

  const names = slice(lines, f, 'names');
  const split = names.indexOf('<<');
  const surname = trimFill(split < 0 ? names : names.slice(0, split));
  const givenNames = split < 0 ? '' : trimFill(names.slice(split + 2));
  if (!surname) errors.push('primary identifier (surname) is empty');

  let optional = trimFill(num.optional);
  if (f === 'TD1') optional = [optional, trimFill(slice(lines, f, 'optionalData2'))].filter(Boolean).join(' ');

  const today = now.toISOString().slice(0, 10);
  return {
    fields: {
      format: f,
      documentType: DOC_TYPE[f],
      documentCode: trimFill(code),
      issuingState: trimFill(slice(lines, f, 'issuingState')),
      documentNumber: num.number.replace(/<+$/, '').replace(/</g, ''),
      nationality: trimFill(slice(lines, f, 'nationality')),
      birthDate,
      expiryDate,
      sex: sexRaw === 'M' || sexRaw === 'F' ? sexRaw : 'X',
      surname,
      givenNames,
      optionalData: optional,
    },
    checkDigits: checks,
    formatErrors: errors,
    expired: expiryDate ? expiryDate < today : null,
    ageYears: birthDate ? ageOn(birthDate, now) : null,
  };
}
