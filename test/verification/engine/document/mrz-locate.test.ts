import { describe, expect, it } from 'vitest';
import { detectSkew, locateMrz } from '../../../../src/verification/engine/document/mrz-locate.js';
import { generateIdCard, generatePassport } from '../../../support/documents/index.js';

const now = new Date('2026-11-22T12:00:00Z');

describe('locateMrz', () => {
  it('finds the 2-line TD3 zone at the bottom of a passport page', async () => {
    const box = (await locateMrz((await generatePassport({ now })).image))!;
    expect(box.lines).toBe(2);
    // MRZ baselines are 12.2 and 5.6 mm above (box includes a margin) the bottom edge of an 88 mm page (1056 px).
    expect(box.top).toBeGreaterThan(1056 * (1 - 20 / 88));
    expect(box.top + box.height).toBeLessThanOrEqual(1056);
    expect(box.width).toBeGreaterThan(1500 * 0.85);
  });

  it('finds 3 lines on the back of an ID card and none on its front', async () => {
    const card = await generateIdCard({ now });
    expect((await locateMrz(card.back))?.lines).toBe(3);
    expect(await locateMrz(card.front)).toBeNull();
  });

  it('measures the tilt of a hand-held photo', async () => {
    for (const deg of [-3, 0, 2]) {
      const doc = await generatePassport({ now, variant: { skewDegrees: deg, width: 900 } });
      expect(Math.abs((await detectSkew(doc.image)) - deg), `tilt ${deg}°`).toBeLessThanOrEqual(0.25);
    }
  });
});
