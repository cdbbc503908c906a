// Face sample images shipped with @vladmandic/human and @vladmandic/face-api, with identities judged by eye.
// Used by the face tests and bench/calibrate-face.ts. See docs/face-checks.md for which files show whom.
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
const humanAssets = path.join(path.dirname(require.resolve('@vladmandic/human')), '..', 'assets');
const faceApiDemo = path.join(path.dirname(require.resolve('@vladmandic/face-api')), '..', 'demo');

export const files = {
  faceid: path.join(humanAssets, 'screenshot-faceid.jpg'),
  facedetect: path.join(humanAssets, 'screenshot-facedetect.jpg'),
  facematch: path.join(humanAssets, 'screenshot-facematch.jpg'),
  vrm: path.join(humanAssets, 'screenshot-vrm.jpg'),
  demo: (n: number) => path.join(faceApiDemo, `sample${n}.jpg`),
};

export interface Sample {
  id: string;
  /** Identity label: "A" is the man shown in many photos; "?" = unknown person (only used against "A"). */
  person: string;
  load(): Promise<Buffer>;
  /** Where the face is (file + crop box), e.g. for printing it on a generated document. */
  source: { path: string; crop: { left: number; top: number; width: number; height: number } };
}

export function gridSource(row: number, col: number): Sample['source'] {
  const top = 283 + row * 111;
  return { path: files.facematch, crop: { left: Math.round((col * 1920) / 18), top, width: 106, height: Math.min(110, 954 - top) } };
}

/**
 * screenshot-facematch.jpg holds a 18×6 grid of face crops (about 106×111 px each) from many photos, sorted by
 * similarity to person A. Cells are extracted with a black margin and upscaled so the detector sees a whole head.
 */
export function gridCell(row: number, col: number): () => Promise<Buffer> {
  return () =>
    sharp(files.facematch)
      .extract(gridSource(row, col).crop)
      .extend({ top: 40, bottom: 40, left: 40, right: 40, background: '#000' })
      .resize({ width: 372 })
      .png()
      .toBuffer();
}

/** Crop of a region [x, y, w, h] with a margin, e.g. one face of a group photo. */
export function region(file: string, [x, y, w, h]: [number, number, number, number], margin = 0.6): () => Promise<Buffer> {
  return async () => {
    const meta = await sharp(file).metadata();
    const m = Math.round(w * margin);
    const left = Math.max(0, x - m);
    const top = Math.max(0, y - m);
    const width = Math.min(meta.width! - left, w + 2 * m);
    const height = Math.min(meta.height! - top, h + 2 * m);
    return sharp(file).extract({ left, top, width, height }).png().toBuffer();
  };
}

// Person A: row 0 of the grid except cells 12, 13, 17 (unsure by eye), row 1 cell 0, and the webcam frame in
// screenshot-faceid.jpg (a separate photo). Cell (0,0) is the same photo as the grid's "selected face" header,
// which is therefore not used.
const personACells: Array<[number, number]> = [
  ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14, 15, 16].map((c): [number, number] => [0, c]),
  [1, 0],
];
export const personA: Sample[] = [
  {
    id: 'faceid',
    person: 'A',
    load: region(files.faceid, [15, 139, 134, 134]),
    source: { path: files.faceid, crop: { left: 0, top: 100, width: 165, height: 200 } },
  },
  ...personACells.map(([r, c]) => ({ id: `grid-${r}-${c}`, person: 'A', load: gridCell(r, c), source: gridSource(r, c) })),
];

// Other people in the grid (rows 1–5). Left out: cells that might be person A (1,1) (1,2) (1,3) (1,8), and
// cells where the detector finds 0 or 2 faces (1,14) (2,4) (2,13). Their identities among themselves are unknown
// (the grid comes from overlapping party photos), so they are only paired with person A.
const excluded = new Set(['1-1', '1-2', '1-3', '1-8', '1-14', '2-4', '2-13']);
export const gridOthers: Sample[] = [];
for (let r = 1; r < 6; r++) {
  for (let c = r === 1 ? 1 : 0; c < 18; c++) {
    if (!excluded.has(`${r}-${c}`)) gridOthers.push({ id: `grid-${r}-${c}`, person: '?', load: gridCell(r, c), source: gridSource(r, c) });
  }
}

/**
 * face-api demo group photos: 22 faces in 6 photos. By eye they are 21 different women: the woman on the right of
 * sample1 (demo1-1) and in the middle of sample3 (demo3-1) look like the same person (person "B"; flagged by
 * the highest "impostor" score in a first run, 0.656, then checked by eye).
 */
export const demoFaces: Record<number, Array<[number, number, number, number]>> = {
  1: [[333, 316, 352, 352], [1433, 188, 279, 279], [775, 383, 327, 326]],
  2: [[1379, 105, 347, 348], [272, 124, 328, 328], [802, 191, 353, 354]],
  3: [[515, 295, 361, 361], [997, 189, 367, 367], [1359, 251, 409, 409]],
  4: [[613, 55, 278, 278], [1216, 134, 305, 305], [916, 155, 330, 331], [176, 185, 302, 302]],
  5: [[724, 92, 272, 273], [516, 410, 308, 309], [1048, 171, 319, 319], [1321, 355, 395, 395], [274, 850, 370, 371]],
  6: [[177, 456, 360, 361], [1081, 280, 368, 369], [1402, 236, 377, 377], [584, 304, 384, 384]],
};
export function demoSamples(photo: number): Sample[] {
  return (demoFaces[photo] ?? []).map((box, i) => ({
    id: `demo${photo}-${i}`,
    person: photo === 1 && i === 1 ? 'B' : photo === 3 && i === 1 ? 'B' : `demo${photo}-${i}`,
    load: region(files.demo(photo), box, 0.4),
    source: { path: files.demo(photo), crop: { left: Math.max(0, box[0] - box[2] * 0.2), top: Math.max(0, box[1] - box[3] * 0.3), width: box[2] * 1.4, height: box[3] * 1.6 } },
  }));
}
