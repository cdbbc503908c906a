import { describe, expect, it } from 'vitest';
import { exifChecks, readExif } from '../../../../src/verification/engine/document/exif.js';
import { generateIdCard, type ImageVariant } from '../../../support/documents/index.js';

const now = new Date('2026-11-22T12:00:00Z');

async function findings(variant: ImageVariant) {
  const doc = await generateIdCard({ now, variant: { width: 400, ...variant } });
  return readExif(doc.front, now);
}

describe('EXIF forensics', () => {
  it('passes camera metadata with consistent dates', async () => {
    const f = await findings({});
    expect(f).toMatchObject({ present: true, editor: null, problems: [] });
    expect(exifChecks([{ side: 'front', f }]).every((c) => c.passed)).toBe(true);
  });

  it('names the editor for a Photoshop or GIMP Software tag', async () => {
    for (const software of ['Adobe Photoshop 25.0', 'GIMP 2.10.36']) {
      const f = await findings({ exif: { software } });
      expect(f.editor).toBe(software);
      expect(exifChecks([{ side: 'front', f }])[0]).toMatchObject({ passed: false, code: 'editing_software', advisory: true });
    }
  });

  it('does not treat phone firmware as an editor', async () => {
    const f = await findings({ exif: { software: 'HDR+ 1.0.540104724zd' } });
    expect(f.editor).toBeNull();
  });

  it('flags ModifyDate before DateTimeOriginal and dates in the future', async () => {
    const early = await findings({ exif: { dateTimeOriginal: '2026:11:20 10:00:00', modifyDate: '2026:11:20 09:59:00' } });
    expect(early.problems).toEqual(['ModifyDate 2026:11:20 09:59:00 is before DateTimeOriginal 2026:11:20 10:00:00']);
    const future = await findings({ exif: { dateTimeOriginal: '2026:12:01 10:00:00' } });
    expect(future.problems.some((p) => p.includes('in the future'))).toBe(true);
    expect(exifChecks([{ side: 'back', f: future }])[1]).toMatchObject({ passed: false, code: 'inconsistent_dates' });
  });

  it('passes (advisory) when there is no metadata at all', async () => {
    const f = await findings({ exif: false });
    expect(f.present).toBe(false);
    const [software] = exifChecks([{ side: 'front', f }]);
    expect(software).toMatchObject({ passed: true, details: { metadataPresent: false } });
  });
});
