// Finds the printed text lines of a visual inspection zone without OCR: connected components of the binarised
// page, grouped into horizontal runs of similar height. Layout-free on purpose (no generator or state coordinates):
// real data pages place their fields differently, but every field is a short line of same-height glyphs.
import type { GrayImage } from './image.js';
import { binarise } from './mrz-locate.js';

export interface TextLine {
  left: number;
  top: number;
  width: number;
  height: number;
  /** Median glyph height in px: captions are printed smaller than the data they label (ICAO 9303 Part 4 §4.1). */
  glyph: number;
  glyphs: number;
}

interface Comp {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  n: number;
}

/** 8-connected components by run-length union-find; one pass over the pixels. */
function components(bin: Uint8Array, w: number, h: number): Comp[] {
  const parent: number[] = [];
  const find = (a: number): number => {
    while (parent[a] !== a) a = parent[a] = parent[parent[a]!]!;
    return a;
  };
  const runs: { y: number; x0: number; x1: number; id: number }[] = [];
  let prevStart = 0;
  let prevEnd = 0;
  for (let y = 0; y < h; y++) {
    const rowStart = runs.length;
    for (let x = 0; x < w; x++) {
      if (!bin[y * w + x]) continue;
      const x0 = x;
      while (x + 1 < w && bin[y * w + x + 1]) x++;
      const id = parent.length;
      parent.push(id);
      for (let k = prevStart; k < prevEnd; k++) {
        const r = runs[k]!;
        if (r.x1 >= x0 - 1 && r.x0 <= x + 1) {
          const a = find(r.id);
          const b = find(id);
          if (a !== b) parent[b] = a;
        }
      }
      runs.push({ y, x0, x1: x, id });
    }
    prevStart = rowStart;
    prevEnd = runs.length;
  }
  const byRoot = new Map<number, Comp>();
  for (const r of runs) {
    const root = find(r.id);
    const c = byRoot.get(root);
    if (!c) byRoot.set(root, { x0: r.x0, y0: r.y, x1: r.x1, y1: r.y, n: r.x1 - r.x0 + 1 });
    else {
      c.x0 = Math.min(c.x0, r.x0);
      c.x1 = Math.max(c.x1, r.x1);
      c.y1 = Math.max(c.y1, r.y);
      c.n += r.x1 - r.x0 + 1;
    }
  }
  return [...byRoot.values()];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;

/**
 * Text lines of `g` (a grey page or part of one). A glyph is a component 0.6–8% of the page height tall, not
 * much wider than tall, and not a solid blob (photo shadows, flags); glyphs whose vertical spans overlap by half
 * and whose gap is below 1.5 glyph heights form one line (word spaces are ≈0.3 em, column gaps several em).
 */
export function findTextLines(g: GrayImage): TextLine[] {
  const bin = binarise(g);
  const { width: w, height: h } = g;
  const minH = Math.max(5, h * 0.006);
  const maxH = Math.max(minH + 1, Math.min(h * 0.08, w * 0.05));
  const glyphs = components(bin, w, h).filter((c) => {
    const ch = c.y1 - c.y0 + 1;
    const cw = c.x1 - c.x0 + 1;
    // Thin strokes (I, 1, l) are solid by nature; only wider solid components are blobs.
    return ch >= minH && ch <= maxH && cw <= ch * 2.5 && (cw < ch * 0.4 || c.n / (ch * cw) < 0.85);
  });
  glyphs.sort((a, b) => a.x0 - b.x0);
  const lines: (Comp & { hs: number[] })[] = [];
  for (const c of glyphs) {
    const ch = c.y1 - c.y0 + 1;
    let best: (Comp & { hs: number[] }) | null = null;
    for (const l of lines) {
      const lh = median(l.hs);
      const overlap = Math.min(l.y1, c.y1) - Math.max(l.y0, c.y0) + 1;
      if (overlap < Math.min(lh, ch) * 0.5 || ch > lh * 1.8 || ch < lh * 0.4) continue;
      if (c.x0 - l.x1 > lh * 1.5) continue;
      if (!best || l.x1 > best.x1) best = l;
    }
    if (best) {
      best.x1 = Math.max(best.x1, c.x1);
      best.y0 = Math.min(best.y0, c.y0);
      best.y1 = Math.max(best.y1, c.y1);
      best.hs.push(ch);
    } else lines.push({ ...c, hs: [ch] });
  }
  return lines
    .filter((l) => l.hs.length >= 2 && l.y1 - l.y0 + 1 <= median(l.hs) * 2)
    .map((l) => ({ left: l.x0, top: l.y0, width: l.x1 - l.x0 + 1, height: l.y1 - l.y0 + 1, glyph: median(l.hs), glyphs: l.hs.length }))
    .sort((a, b) => a.top - b.top || a.left - b.left);
}
