// The printed-zone ↔ MRZ comparison rules, on OCR-like text: confusions, ICAO transliteration, date formats, and
// which caption labels which value.
import { describe, expect, it } from 'vitest';
import { containsNumber, nearNumbers, parseDates, sameDate, sameName } from '../../../../src/verification/engine/document/viz-compare.js';
import { matchCaptions, matchValues, settle, type MrzValues, type ReadLine } from '../../../../src/verification/engine/document/viz-fields.js';

const dateOf = (line: string, iso: string) => parseDates(line).some((d) => sameDate(d, iso));

describe('printed dates vs MRZ dates', () => {
  it('reads the printed formats states use', () => {
    for (const line of ['12 MAR 1985', '12 MAR/MARS 1985', '12 MARS 85', '12.03.1985', '12/03/85', '12-03-1985', '1985-03-12', '12 03 1985', '12MAR1985']) {
      expect(dateOf(line, '1985-03-12'), line).toBe(true);
    }
  });

  it('reads other languages’ month names and one misread month letter', () => {
    expect(dateOf('04 MAI 1989', '1989-05-04')).toBe(true);
    expect(dateOf('02 AUC 2025', '2025-08-02')).toBe(true); // AUG with G read as C
    expect(dateOf('02 JUI 2025', '2025-07-02')).toBe(false); // JUN or JUL (JUIN/JUIL): ambiguous, not read
    expect(dateOf('01 OKT 2030', '2030-10-01')).toBe(true);
  });

  it('reads digits through the OCR confusions (O→0, I→1, S→5, B→8)', () => {
    expect(dateOf('I5 SEP I95O', '1950-09-15')).toBe(true);
    expect(dateOf('O8.O3.198S', '1985-03-08')).toBe(true);
    expect(dateOf('B 0CT 1978', '1978-10-08')).toBe(true);
  });

  it('accepts the US month/day order only as the other reading of a numeric date', () => {
    expect(dateOf('03/12/1985', '1985-03-12')).toBe(true);
    expect(dateOf('12 MAR 1985', '1985-12-03')).toBe(false);
  });

  it('tells a different date apart, including a different century of a four-digit year', () => {
    expect(dateOf('12 MAR 1986', '1985-03-12')).toBe(false);
    expect(dateOf('13 MAR 1985', '1985-03-12')).toBe(false);
    expect(dateOf('12 MAR 1885', '1985-03-12')).toBe(false);
    expect(dateOf('SURNAME / NOM', '1985-03-12')).toBe(false);
  });
});

describe('document numbers', () => {
  it('finds the MRZ number printed with OCR confusions or spaces', () => {
    expect(containsNumber('MITOJFLSH', 'MIT0JF1SH')).toBe(true);
    expect(containsNumber('L89 8902 C3', 'L898902C3')).toBe(true);
    expect(containsNumber('W99POFN7', 'VV99POFN7')).toBe(true); // VV read as W
    expect(containsNumber('XLGWMBY7T', 'XLGWMBY1T')).toBe(false);
  });

  it('calls a number within a few edits of the MRZ number an edited copy', () => {
    expect(nearNumbers('NX4K92P71', 'NX4K82P71')).toEqual(['NX4K92P71']);
    expect(nearNumbers('NX4K82P71', 'NX4K82P71')).toEqual([]); // the same number is not an edit
    expect(nearNumbers('NO. DU PASSEPORT', 'NX4K82P71')).toEqual([]);
  });
});

describe('names: printed spelling vs MRZ transliteration', () => {
  it('accepts ICAO 9303 Part 3 transliterations read without diacritics', () => {
    expect(sameName('MÜLLER', 'MUELLER')).toBe(true);
    expect(sameName('MULLER', 'MUELLER')).toBe(true); // Ü read as U by an ASCII OCR
    expect(sameName('OSTERGARD', 'OESTERGAARD')).toBe(true);
    expect(sameName('WEIB', 'WEISS')).toBe(true); // ß read as B
    expect(sameName('JAASKELAINEN', 'JAEAESKELAEINEN')).toBe(true);
    expect(sameName("O'BRIEN", 'OBRIEN')).toBe(true);
    expect(sameName('GARCIA LOPEZ', 'GARCIA LOPEZ')).toBe(true);
    expect(sameName('E JURGEN NZ', 'JUERGEN')).toBe(true); // stray marks beside the name
  });

  it('allows one OCR slip and a printed name longer than a truncated MRZ name', () => {
    expect(sameName('ERIK5SON', 'ERIKSSON')).toBe(true);
    expect(sameName('PAPADOPOULOU', 'PAPADOPOULOS')).toBe(true); // one letter: within the slack, not a mismatch
    expect(sameName('WOLFESCHLEGELSTEINHAUSEN', 'WOLFESCHLEGELSTEIN')).toBe(true);
  });

  it('rejects a different name', () => {
    expect(sameName('HOFFMANN', 'ERIKSSON')).toBe(false);
    expect(sameName('LINDGREN', 'LINDQVIST')).toBe(false);
  });
});

const line = (text: string, left: number, top: number, glyph: number): ReadLine => ({
  text, left, top, width: text.length * glyph, height: glyph, glyph, glyphs: text.length,
});
const mrz: MrzValues = { surname: 'ERIKSSON', givenNames: 'ANNA MARIA', birthDate: '1974-08-12', expiryDate: '2035-04-15', documentNumber: 'NX4K82P71' };

describe('field statuses', () => {
  const captions = [
    line('PASSPORT NO. / NO. DU PASSEPORT', 500, 190, 13), line('SURNAME / NOM', 500, 290, 13),
    line('GIVEN NAMES / PRENOMS', 500, 390, 13), line('PLACE OF BIRTH / LIEU DE NAISSANCE', 700, 490, 13),
    line('DATE OF BIRTH / DATE DE NAISSANCE', 500, 490, 13), line('DATE OF EXPIRY / DATE D EXPIRATION', 900, 590, 13),
    line('DATE OF ISSUE / DATE DE DELIVRANCE', 500, 590, 13),
  ];
  const values = (dob: string, no = 'NX4K82P71') => [
    line(no, 500, 220, 28), line('ERIKSSON', 500, 320, 28), line('ANNA MARIA', 500, 420, 28),
    line(dob, 500, 520, 28), line('ZENITH', 700, 520, 28), line('16 APR 2025', 500, 620, 28), line('15 APR 2035', 900, 620, 28),
  ];

  it('agrees from the data alone when every MRZ value is printed', () => {
    expect(matchValues(values('12 AUG 1974'), mrz)).toEqual({
      surname: 'agrees', givenNames: 'agrees', birthDate: 'agrees', documentNumber: 'agrees', expiryDate: 'agrees',
    });
  });

  it('finds the date under the date-of-birth caption (not the place of birth) and calls it different', () => {
    const v = values('12 AUG 1979');
    const first = matchValues(v, mrz);
    expect(first.birthDate).toBe('unread');
    expect(matchCaptions(first, v, captions, mrz).statuses.birthDate).toBe('differs');
  });

  it('leaves a field unread when its caption labels nothing readable', () => {
    const v = values('').filter((l) => l.text);
    expect(matchCaptions(matchValues(v, mrz), v, captions, mrz).statuses.birthDate).toBe('unread');
  });

  it('calls an edited number different even without captions', () => {
    const v = values('12 AUG 1974', 'NX4R82P7A');
    expect(matchCaptions(matchValues(v, mrz), v, [], mrz).statuses.documentNumber).toBe('differs');
  });

  it('settles a differing field by re-reads: any MRZ read agrees, only a stable other value differs', () => {
    expect(settle('birthDate', ['23 NOV 1957', '28 NOV 1967', '23 NOV 1957'], { ...mrz, birthDate: '1967-11-28' })).toBe('agrees');
    expect(settle('birthDate', ['12 AUG 1979', '12 AUG 1979', '12 AUG I979'], mrz)).toBe('differs');
    expect(settle('documentNumber', ['NX4K82P7A', 'NX4KB2P7A', 'NX4K82P74'], mrz)).toBe('unread');
  });
});
