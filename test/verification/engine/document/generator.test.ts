// The test document generator itself: MRZ strings must be ICAO-valid (or invalid exactly where asked).
import { describe, expect, it } from 'vitest';
import { parseMrz } from '../../../../src/verification/engine/document/mrz-parse.js';
import { buildMrz, specimenFields, generateTd2 } from '../../../support/documents/index.js';

const now = new Date('2026-11-22T12:00:00Z');

describe('test document generator', () => {
  it('builds valid TD1/TD2/TD3 MRZs with ICAO transliterated names', () => {
    const f = specimenFields(now, { surname: "O'Brien-Müller", givenNames: 'Zoë Åsa', optionalData: '' });
    for (const format of ['TD1', 'TD2', 'TD3'] as const) {
      const lines = buildMrz(format, f);
      const p = parseMrz(lines, now)!;
      expect(p.checkDigits.every((d) => d.valid)).toBe(true);
      expect(p.fields).toMatchObject({ format, surname: 'OBRIEN MUELLER', documentNumber: 'L898902C3', birthDate: '1974-08-12' });
      expect(p.fields.givenNames).toBe('ZOE AASA');
    }
  });

  it('keeps stale check digits on tampered fields', () => {
    const lines = buildMrz('TD3', specimenFields(now), { birthDate: '1975-08-12' });
    const p = parseMrz(lines, now)!;
    expect(p.fields.birthDate).toBe('1975-08-12');
    expect(p.checkDigits.filter((d) => !d.valid).map((d) => d.field)).toEqual(['birthDate', 'composite']);
  });

  it('renders a TD2 document with a 2×36 MRZ', async () => {
    const doc = await generateTd2({ now, variant: { width: 600 } });
    expect(doc.mrz.map((l) => l.length)).toEqual([36, 36]);
    expect(doc.image.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });
});
