import zlib from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { measureQuality, qualityChecks } from '../../../../src/verification/engine/document/quality.js';
import { generatePassport } from '../../../support/documents/index.js';

const now = new Date('2026-11-22T12:00:00Z');
const names = (c: { name: string; passed: boolean }[]) => c.filter((x) => !x.passed).map((x) => x.name);

describe('capture quality', () => {
  it('passes a sharp, full-resolution render', async () => {
    const m = await measureQuality((await generatePassport({ now })).image);
    expect(m).toMatchObject({ width: 1500, height: 1056, shortSide: 1056 });
    expect(names(qualityChecks([{ side: 'front', m }]))).toEqual([]);
  });

  it('measures blur as a falling Laplacian variance', async () => {
    const crisp = await measureQuality((await generatePassport({ now })).image);
    const soft = await measureQuality((await generatePassport({ now, variant: { blurSigma: 1.5 } })).image);
    const blurred = await measureQuality((await generatePassport({ now, variant: { blurSigma: 4 } })).image);
    expect(crisp.laplacianVariance).toBeGreaterThan(soft.laplacianVariance);
    expect(soft.laplacianVariance).toBeGreaterThan(blurred.laplacianVariance);
    expect(names(qualityChecks([{ side: 'front', m: blurred }]))).toEqual(['document.quality_blur']);
  });

  it('fails low resolution and glare, reporting the worse side', async () => {
    const small = await measureQuality((await generatePassport({ now, variant: { downscaleTo: 500 } })).image);
    const glare = await measureQuality((await generatePassport({ now, variant: { glare: 0.2 } })).image);
    const checks = qualityChecks([{ side: 'front', m: glare }, { side: 'back', m: small }]);
    expect(names(checks)).toEqual(['document.quality_resolution', 'document.quality_glare']);
    expect(checks[0]!.details).toMatchObject({ side: 'back' });
    expect(checks[2]!.details).toMatchObject({ side: 'front' });
  });

  it('refuses decompression bombs', async () => {
    // A tiny PNG whose header declares 20000×20000 pixels: above the 50 MP cap, refused before decoding.
    const bomb = Buffer.from(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).png().toBuffer());
    bomb.writeUInt32BE(20000, 16);
    bomb.writeUInt32BE(20000, 20);
    bomb.writeUInt32BE(zlib.crc32(bomb.subarray(12, 29)), 29); // IHDR CRC over type + data
    await expect(measureQuality(bomb)).rejects.toThrow(/pixel limit/i);
  });
});
