import { describe, expect, it } from 'vitest';
import { checkDigit } from '../../../../src/verification/engine/document/icao.js';
import { parseMrz, resolveBirthDate, resolveExpiryDate } from '../../../../src/verification/engine/document/mrz-parse.js';

const now = new Date('2026-11-22T12:00:00Z');
// ICAO Doc 9303 specimens (Part 4 TD3, Part 5 TD1, Part 6 TD2): independent reference values for the check digits.
const TD3 = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];
const TD1 = ['I<UTOD231458907<<<<<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'];
const TD2 = ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'D231458907UTO7408122F1204159<<<<<<<6'];

describe('checkDigit (7-3-1)', () => {
  it('matches the ICAO worked examples', () => {
    expect(checkDigit('L898902C3')).toBe('6');
    expect(checkDigit('740812')).toBe('2');
    expect(checkDigit('120415')).toBe('9');
    expect(checkDigit('ZE184226B<<<<<')).toBe('1');
    expect(checkDigit('D23145890')).toBe('7');
  });
  it('rejects characters outside the MRZ alphabet', () => {
    expect(checkDigit('AB-12')).toBeNull();
  });
});

describe('parseMrz', () => {
  it('parses the TD3 specimen with every check digit valid', () => {
    const r = parseMrz(TD3, now)!;
    expect(r.fields).toMatchObject({
      format: 'TD3', documentType: 'passport', documentCode: 'P', issuingState: 'UTO', documentNumber: 'L898902C3',
      nationality: 'UTO', birthDate: '1974-08-12', expiryDate: '2012-04-15', sex: 'F', surname: 'ERIKSSON',
      givenNames: 'ANNA MARIA', optionalData: 'ZE184226B',
    });
    expect(r.checkDigits.map((d) => [d.field, d.valid])).toEqual([
      ['documentNumber', true], ['birthDate', true], ['expiryDate', true], ['optionalData', true], ['composite', true],
    ]);
    expect(r.formatErrors).toEqual([]);
    expect(r.expired).toBe(true);
    expect(r.ageYears).toBe(52);
  });

  it('parses the TD1 and TD2 specimens', () => {
    const td1 = parseMrz(TD1, now)!;
    expect(td1.fields).toMatchObject({ format: 'TD1', documentType: 'id_card', documentNumber: 'D23145890', surname: 'ERIKSSON' });
    expect(td1.checkDigits.every((d) => d.valid)).toBe(true);
    const td2 = parseMrz(TD2, now)!;
    expect(td2.fields).toMatchObject({ format: 'TD2', documentType: 'td2', documentNumber: 'D23145890', givenNames: 'ANNA MARIA' });
    expect(td2.checkDigits.every((d) => d.valid)).toBe(true);
  });

  it('reports exactly the field whose check digit is wrong', () => {
    const tampered = [TD3[0]!, TD3[1]!.replace('L898902C3', 'L898902C4')];
    const r = parseMrz(tampered, now)!;
    expect(r.checkDigits.filter((d) => !d.valid).map((d) => d.field)).toEqual(['documentNumber', 'composite']);
    const dob = [TD3[0]!, TD3[1]!.replace('7408122', '7408132')];
    expect(parseMrz(dob, now)!.checkDigits.filter((d) => !d.valid).map((d) => d.field)).toEqual(['birthDate', 'composite']);
  });

  it('reads long TD1 document numbers continued in the optional data', () => {
    // 12-character number: 9 in place, '<' in the check position, 3 more + check digit in optional data.
    const num = 'D23145890123';
    const line1 = 'I<UTO' + num.slice(0, 9) + '<' + num.slice(9) + checkDigit(num) + '<'.repeat(11);
    const line2 = '7408122F1204159UTO<<<<<<<<<<<';
    const lines = [line1, line2 + checkDigit(line1.slice(5, 30) + line2.slice(0, 7) + line2.slice(8, 15) + line2.slice(18, 29)), TD1[2]!];
    const r = parseMrz(lines, now)!;
    expect(r.fields.documentNumber).toBe(num);
    expect(r.checkDigits.every((d) => d.valid)).toBe(true);
  });

  it('flags impossible dates and unknown codes as format errors', () => {
    const bad = [TD3[0]!.replace('P<', 'V<'), TD3[1]!.replace('740812', '741312')];
    expect(parseMrz(bad, now)!.formatErrors).toEqual(
      expect.arrayContaining([expect.stringContaining('document code'), 'birth date is not a valid date']),
    );
  });

  it('returns null for lines of no ICAO shape', () => {
    expect(parseMrz(['P<UTO', 'L898'], now)).toBeNull();
  });
});

describe('century resolution', () => {
  it('puts birth dates in the past and expiry dates near now', () => {
    expect(resolveBirthDate('260101', now)).toBe('2026-01-01');
    expect(resolveBirthDate('261201', now)).toBe('1926-12-01');
    expect(resolveBirthDate('990101', now)).toBe('1999-01-01');
    expect(resolveExpiryDate('360101', now)).toBe('2036-01-01');
    expect(resolveExpiryDate('991231', now)).toBe('1999-12-31');
    expect(resolveBirthDate('740231', now)).toBeNull();
  });
});
