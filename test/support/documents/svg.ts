// Small SVG helpers for the document renderer. Coordinates are in millimetres and scaled to pixels here.

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface Page {
  /** pixels per millimetre */
  s: number;
  widthMm: number;
  heightMm: number;
  parts: string[];
}

export function page(widthMm: number, heightMm: number, widthPx: number): Page {
  return { s: widthPx / widthMm, widthMm, heightMm, parts: [] };
}

export function text(
  p: Page,
  xMm: number,
  yMm: number,
  value: string,
  o: { size: number; weight?: number; fill?: string; family?: string; anchor?: 'start' | 'middle' | 'end' },
): void {
  const s = p.s;
  p.parts.push(
    `<text x="${(xMm * s).toFixed(1)}" y="${(yMm * s).toFixed(1)}" font-family="${o.family ?? 'DejaVu Sans'}" ` +
      `font-size="${(o.size * s).toFixed(1)}" font-weight="${o.weight ?? 400}" fill="${o.fill ?? '#1b1b1b'}" ` +
      `text-anchor="${o.anchor ?? 'start'}">${esc(value)}</text>`,
  );
}

/** A labelled visual-zone field: small grey bilingual label above the value. */
export function field(p: Page, xMm: number, yMm: number, label: string, value: string, size = 3.2): void {
  text(p, xMm, yMm, label, { size: size * 0.58, fill: '#4a5560' });
  text(p, xMm, yMm + size * 1.25, value, { size, weight: 600 });
}

/** MRZ lines in OCR-B at the ICAO pitch of 10 characters per inch (2.54 mm), centred horizontally. */
export function mrz(p: Page, lines: readonly string[], baselinesMm: readonly number[], sizeMm: number): void {
  const s = p.s;
  lines.forEach((line, i) => {
    const len = line.length * 2.54 * s;
    const x = (p.widthMm * s - len) / 2;
    p.parts.push(
      `<text x="${x.toFixed(1)}" y="${(baselinesMm[i]! * s).toFixed(1)}" font-family="OCR B" ` +
        `font-size="${(sizeMm * s).toFixed(1)}" fill="#111" textLength="${len.toFixed(1)}" ` +
        `lengthAdjust="spacing">${esc(line)}</text>`,
    );
  });
}

/** Security-print style background: pastel tint plus interleaved sine "guilloche" lines. */
export function background(p: Page, tint: string, line: string, rnd: () => number): void {
  const s = p.s;
  const w = p.widthMm * s;
  const h = p.heightMm * s;
  p.parts.push(`<rect width="${w}" height="${h}" fill="${tint}"/>`);
  for (let k = 0; k < 14; k++) {
    const amp = (2 + rnd() * 5) * s;
    const period = (18 + rnd() * 30) * s;
    const phase = rnd() * Math.PI * 2;
    const y0 = ((k + 0.5) / 14) * h;
    let d = '';
    for (let x = 0; x <= w; x += s) {
      const y = y0 + amp * Math.sin((x / period) * Math.PI * 2 + phase);
      d += `${d ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
    }
    p.parts.push(`<path d="${d}" fill="none" stroke="${line}" stroke-width="${(0.12 * s).toFixed(2)}"/>`);
  }
}

export function svg(p: Page): Buffer {
  const w = Math.round(p.widthMm * p.s);
  const h = Math.round(p.heightMm * p.s);
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${p.parts.join('')}</svg>`);
}
