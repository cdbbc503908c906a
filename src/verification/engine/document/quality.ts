// Capture quality: resolution, sharpness (variance of the Laplacian) and glare (share of blown-out pixels).
// Sharpness and glare are measured on a copy scaled to a fixed width so the numbers do not depend on resolution.
import { thresholds } from '../../thresholds.js';
import type { CheckResult } from '../types.js';
import { openImage, orientedSize } from './image.js';

export interface QualityMetrics {
  width: number;
  height: number;
  shortSide: number;
  /** Variance of the 4-neighbour Laplacian at `thresholds.document.analysisWidth`; higher = sharper. */
  laplacianVariance: number;
  /** Fraction of pixels with luminance ≥ glareLevel; higher = more glare. */
  glareFraction: number;
}

const LAPLACIAN = [0, 1, 0, 1, -4, 1, 0, 1, 0];

export async function measureQuality(buf: Buffer): Promise<QualityMetrics> {
  const t = thresholds.document;
  const { width, height } = await orientedSize(buf);
  const gray = openImage(buf).grayscale().resize({ width: t.analysisWidth });
  const [lap, lum] = await Promise.all([
    // offset 128 keeps negative responses: sharp clamps convolution output to 0..255.
    gray.clone().convolve({ width: 3, height: 3, kernel: LAPLACIAN, scale: 1, offset: 128 }).raw().toBuffer(),
    gray.clone().raw().toBuffer(),
  ]);
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < lap.length; i++) {
    const v = lap[i]!;
    sum += v;
    sq += v * v;
  }
  const mean = sum / lap.length;
  let bright = 0;
  for (let i = 0; i < lum.length; i++) if (lum[i]! >= t.glareLevel) bright++;
  return {
    width,
    height,
    shortSide: Math.min(width, height),
    laplacianVariance: Math.round((sq / lap.length - mean * mean) * 10) / 10,
    glareFraction: Math.round((bright / lum.length) * 10_000) / 10_000,
  };
}

/** One check per metric from the worst side (a TD1 card has two). */
export function qualityChecks(sides: readonly { side: 'front' | 'back'; m: QualityMetrics }[]): CheckResult[] {
  const t = thresholds.document;
  const worst = <K extends keyof QualityMetrics>(k: K, higherIsWorse = false) =>
    [...sides].sort((a, b) => (higherIsWorse ? b.m[k] - a.m[k] : a.m[k] - b.m[k]))[0]!;
  const res = worst('shortSide');
  const blur = worst('laplacianVariance');
  const glare = worst('glareFraction', true);
  const resOk = res.m.shortSide >= t.minShortSidePx;
  const blurOk = blur.m.laplacianVariance >= t.minLaplacianVariance;
  const glareOk = glare.m.glareFraction <= t.maxGlareFraction;
  return [
    {
      name: 'document.quality_resolution', passed: resOk, score: res.m.shortSide, threshold: t.minShortSidePx,
      reason: resOk
        ? `${res.side} image is ${res.m.width}×${res.m.height} px, enough to read the MRZ`
        : `${res.side} image short side is ${res.m.shortSide} px, below the ${t.minShortSidePx} px needed to read the MRZ`,
      ...(resOk ? {} : { code: 'low_resolution' }),
      details: { side: res.side, width: res.m.width, height: res.m.height },
    },
    {
      name: 'document.quality_blur', passed: blurOk, score: blur.m.laplacianVariance, threshold: t.minLaplacianVariance,
      reason: blurOk
        ? `${blur.side} image is sharp (Laplacian variance ${blur.m.laplacianVariance})`
        : `${blur.side} image is blurred (Laplacian variance ${blur.m.laplacianVariance} < ${t.minLaplacianVariance})`,
      ...(blurOk ? {} : { code: 'blurred' }),
      details: { side: blur.side },
    },
    {
      name: 'document.quality_glare', passed: glareOk, score: glare.m.glareFraction, threshold: t.maxGlareFraction,
      reason: glareOk
        ? `${glare.side} image has little glare (${(glare.m.glareFraction * 100).toFixed(1)}% blown-out pixels)`
        : `${glare.side} image has glare: ${(glare.m.glareFraction * 100).toFixed(1)}% of pixels are blown out ` +
          `(max ${(t.maxGlareFraction * 100).toFixed(0)}%)`,
      ...(glareOk ? {} : { code: 'glare' }),
      details: { side: glare.side, lowerIsBetter: true },
    },
  ];
}
