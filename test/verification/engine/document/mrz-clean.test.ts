import { describe, expect, it } from 'vitest';
import { fitLength, fixConfusions, mrzCandidates } from '../../../../src/verification/engine/document/mrz-clean.js';

describe('MRZ OCR clean-up', () => {
  it('undoes digit/letter confusions only where the field type decides', () => {
    const lines = ['P<UT0ERIKSS0N<<ANNA<MAR1A<<<<<<<<<<<<<<<<<<<', 'L898902C36UT07408I22F12O4159ZE184226B<<<<<1O'];
    const [l1, l2] = fixConfusions(lines, 'TD3');
    expect(l1).toBe('P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<');
    // Nationality 0→O, dates I→1 and O→0, composite O→0; the alphanumeric number and optional data stay as read.
    expect(l2).toBe('L898902C36UTO7408122F1204159ZE184226B<<<<<10');
    const ambiguous = fixConfusions(['P<UTOX<<Y' + '<'.repeat(35), 'L8989O2C36' + 'UTO7408122F1204159Z2184226B<<<<<10'], 'TD3');
    expect(ambiguous[1]!.slice(0, 9)).toBe('L8989O2C3');
    expect(ambiguous[1]!.slice(28, 32)).toBe('Z218');
  });

  it('fits a line to its ICAO length by adjusting filler runs', () => {
    expect(fitLength('P<UTOERIKSSON<<ANNA<<<<', 25)).toContain('P<UTOERIKSSON<<ANNA<<<<<<');
    expect(fitLength('ABC<<<<<D', 7)).toEqual(['ABC<<<D']);
  });

  it('turns raw OCR text into a TD3 candidate and ignores short noise lines', () => {
    const raw = 'XK3\nP<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n';
    const c = mrzCandidates(raw);
    expect(c[0]).toMatchObject({ format: 'TD3', lines: ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'] });
  });
});
