import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  classify, confusableWith, glyphVector, loadTemplates, type Templates,
} from '../../../../src/verification/engine/document/mrz-glyphs.js';

let templates: Templates;
beforeAll(async () => {
  templates = await loadTemplates();
});

/** A single OCR-B character at a small size (≈ MRZ pixels), blurred a little, as a grey image with its box. */
async function glyph(c: string, size: number) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size * 1.4}"><rect width="100%" height="100%" fill="#f1ede2"/>` +
    `<text x="${size * 0.2}" y="${size}" font-family="OCR B" font-size="${size}" fill="#222">${c}</text></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).blur(0.6).grayscale().raw().toBuffer({ resolveWithObject: true });
  return { g: { data, width: info.width, height: info.height }, box: { x0: 0, y0: 0, x1: info.width, y1: info.height } };
}

describe('OCR-B glyph second opinion', () => {
  it('knows which characters are confusable', () => {
    expect(confusableWith('0')).toBe('0OD');
    expect(confusableWith('3')).toBe('35S8B');
    expect(confusableWith('K')).toBeUndefined();
  });

  it('tells confusable OCR-B characters apart at the OCR working scale', async () => {
    for (const size of [44, 60]) { // the OCR step scales MRZ crops to this range
      for (const [truth, read] of [['0', 'O'], ['O', '0'], ['D', '0'], ['2', 'Z'], ['Z', '2'], ['8', 'B'], ['B', '8'], ['S', '5'], ['5', 'S'], ['1', 'I'], ['I', '1'], ['N', 'M'], ['W', 'N']]) {
        const { g, box } = await glyph(truth!, size);
        const v = glyphVector(g, box)!;
        expect(classify(templates, v, read!, confusableWith(read!)!), `${truth} read as ${read} at ${size}px`).toBe(truth);
      }
    }
  });
});
