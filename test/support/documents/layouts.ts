// Page layouts (ICAO 9303 sizes: TD3 125×88 mm, TD2 105×74 mm, TD1 85.6×54 mm) as SVG plus the portrait box.
import type { DocumentFields } from './fields.js';
import { background, field, mrz, page, svg, text } from './svg.js';

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}
export interface Layout {
  svg: Buffer;
  portrait?: Box;
}

const STATE_NAMES: Record<string, string> = {
  UTO: 'UTOPIA', BEL: 'BELGIQUE · BELGIË', 'D<<': 'BUNDESREPUBLIK DEUTSCHLAND', FRA: 'RÉPUBLIQUE FRANÇAISE', SWE: 'SVERIGE', POL: 'POLSKA',
  ITA: 'REPUBBLICA ITALIANA', NLD: 'NEDERLAND', IRL: 'ÉIRE · IRELAND', ESP: 'ESPAÑA', GRC: 'ΕΛΛΗΝΙΚΗ ΔΗΜΟΚΡΑΤΙΑ',
};
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Visual-zone date, ICAO style "12 AUG 1974". */
export const vizDate = (iso: string): string => `${iso.slice(8, 10)} ${MONTHS[Number(iso.slice(5, 7)) - 1]} ${iso.slice(0, 4)}`;
const code = (c: string): string => c.replace(/</g, '');
const box = (s: number, x: number, y: number, w: number, h: number): Box => ({
  left: Math.round(x * s), top: Math.round(y * s), width: Math.round(w * s), height: Math.round(h * s),
});

/** TD3 passport data page (also used for TD2, which has the same structure on a smaller page). */
export function bookletPage(
  format: 'TD3' | 'TD2', f: DocumentFields, lines: readonly string[], widthPx: number, rnd: () => number,
): Layout {
  const td3 = format === 'TD3';
  const [W, H] = td3 ? [125, 88] : [105, 74];
  const p = page(W, H, widthPx);
  background(p, '#f1ede2', '#d9d2e6', rnd);
  const k = td3 ? 1 : 0.86; // TD2 text is a little smaller
  text(p, W / 2, 8, STATE_NAMES[f.issuingState] ?? code(f.issuingState), { size: 4.2 * k, weight: 700, anchor: 'middle', fill: '#2a3a6a' });
  text(p, W / 2, 13, td3 ? 'PASSPORT / PASSEPORT' : 'IDENTITY CARD / CARTE D\u2019IDENTITÉ', { size: 2.6 * k, anchor: 'middle', fill: '#2a3a6a' });
  const portrait = td3 ? box(p.s, 5, 17, 33, 43) : box(p.s, 4, 16, 27, 34);
  const x = td3 ? 43 : 35;
  const row = td3 ? 8.4 : 6.9;
  const y0 = td3 ? 18 : 16.5;
  const sz = 3.2 * k;
  field(p, x, y0, 'Type / Type', td3 ? 'P' : 'I', sz);
  field(p, x + 14 * k, y0, 'Code / Code', code(f.issuingState), sz);
  field(p, x + 34 * k, y0, td3 ? 'Passport No. / No. du passeport' : 'Document No. / No. du document', f.documentNumber, sz);
  field(p, x, y0 + row, 'Surname / Nom', f.surname.toUpperCase(), sz);
  field(p, x, y0 + 2 * row, 'Given names / Prénoms', f.givenNames.toUpperCase(), sz);
  field(p, x, y0 + 3 * row, 'Nationality / Nationalité', code(f.nationality), sz);
  field(p, x + 34 * k, y0 + 3 * row, 'Date of birth / Date de naissance', vizDate(f.birthDate), sz);
  field(p, x, y0 + 4 * row, 'Sex / Sexe', f.sex, sz);
  field(p, x + 14 * k, y0 + 4 * row, 'Place of birth / Lieu de naissance', f.placeOfBirth.toUpperCase(), sz);
  field(p, x, y0 + 5 * row, 'Date of issue / Date de délivrance', vizDate(f.issueDate), sz);
  field(p, x + 34 * k, y0 + 5 * row, 'Date of expiry / Date d\u2019expiration', vizDate(f.expiryDate), sz);
  mrz(p, lines, td3 ? [H - 12.2, H - 5.6] : [H - 11.4, H - 5.0], td3 ? 3.5 : 3.4);
  return { svg: svg(p), portrait };
}

export function idCardFront(f: DocumentFields, widthPx: number, rnd: () => number): Layout {
  const [W, H] = [85.6, 54];
  const p = page(W, H, widthPx);
  background(p, '#e9f0ec', '#c8dccf', rnd);
  text(p, W / 2, 6, STATE_NAMES[f.issuingState] ?? code(f.issuingState), { size: 3.2, weight: 700, anchor: 'middle', fill: '#1f4d3a' });
  text(p, W / 2, 9.6, 'IDENTITY CARD / CARTE D\u2019IDENTITÉ', { size: 2, anchor: 'middle', fill: '#1f4d3a' });
  const portrait = box(p.s, 4, 13, 24, 31);
  const x = 32;
  const sz = 2.5;
  field(p, x, 14, 'Surname / Nom', f.surname.toUpperCase(), sz);
  field(p, x, 21, 'Given names / Prénoms', f.givenNames.toUpperCase(), sz);
  field(p, x, 28, 'Sex / Sexe', f.sex, sz);
  field(p, x + 13, 28, 'Nationality / Nationalité', code(f.nationality), sz);
  field(p, x, 35, 'Date of birth / Date de naissance', vizDate(f.birthDate), sz);
  field(p, x, 42, 'Document No. / No. du document', f.documentNumber, sz);
  field(p, x + 27, 42, 'Expiry / Expiration', vizDate(f.expiryDate), sz);
  return { svg: svg(p), portrait };
}

export function idCardBack(f: DocumentFields, lines: readonly string[], widthPx: number, rnd: () => number): Layout {
  const [W, H] = [85.6, 54];
  const p = page(W, H, widthPx);
  background(p, '#e9f0ec', '#c8dccf', rnd);
  const sz = 2.4;
  field(p, 5, 6, 'Place of birth / Lieu de naissance', f.placeOfBirth.toUpperCase(), sz);
  field(p, 5, 13, 'Date of issue / Date de délivrance', vizDate(f.issueDate), sz);
  field(p, 45, 13, 'Authority / Autorité', 'MINISTRY OF INTERIOR', sz);
  field(p, 5, 20, 'Address / Adresse', '12 HARBOUR STREET, ' + f.placeOfBirth.toUpperCase(), sz);
  mrz(p, lines, [H - 13.2, H - 8.4, H - 3.6], 3.3);
  return { svg: svg(p) };
}
