// Which documents count as ICAO specimens (the rule; the refusal and the sandbox pass over HTTP are in
// upload.test.ts and flows.test.ts).
import { describe, expect, it } from 'vitest';
import { SPECIMEN_NUMBERS, specimenCheck } from '../../../src/verification/cases/specimen.js';

const doc = (issuingState: string, nationality: string, number: string) => ({
  mrz: { issuingState, nationality } as never,
  documentKey: { type: 'passport' as const, issuingState, number },
});

describe('specimenCheck', () => {
  it('fails UTO as issuing state or nationality, and every Doc 9303 specimen number on any state', () => {
    for (const d of [doc('UTO', 'NLD', 'NX4K82P71'), doc('NLD', 'UTO', 'NX4K82P71'), ...[...SPECIMEN_NUMBERS].map((n) => doc('D<<', 'D<<', n))]) {
      expect(specimenCheck(d)).toMatchObject({ name: 'document.specimen', passed: false, code: 'specimen_document' });
    }
    expect([...SPECIMEN_NUMBERS]).toEqual(expect.arrayContaining(['L898902C3', 'D23145890']));
  });

  it('passes a real state with another number, and a document whose MRZ could not be read', () => {
    expect(specimenCheck(doc('NLD', 'NLD', 'NX4K82P71'))).toBeNull();
    expect(specimenCheck(doc('D<<', 'D<<', 'L898902C4'))).toBeNull();
    expect(specimenCheck({ mrz: null, documentKey: null })).toBeNull();
  });
});
