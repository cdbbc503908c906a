// Face photos for the portrait box, cropped from images that ship with installed packages (no downloads).
// Person A is the same man in three photos (the @vladmandic/human author, judging by the FaceID demo screenshot),
// so face-match tests can pair a document with a different photo of the same person. B–E are different people;
// letters A and B mean the same people as in docs/face-checks.md.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const human = (f: string): string => path.join(root, 'node_modules/@vladmandic/human/assets', f);
const faceApi = (f: string): string => path.join(root, 'node_modules/@vladmandic/face-api/demo', f);

export interface Crop {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Portrait {
  /** Same letter = same person. */
  person: 'A' | 'B' | 'C' | 'D' | 'E';
  path: string;
  /** Head-and-shoulders box in source pixels; omitted = whole image. */
  crop?: Crop;
  note: string;
}

export const PORTRAITS = {
  personA_webcam: {
    person: 'A', path: human('screenshot-faceid.jpg'), crop: { left: 25, top: 145, width: 125, height: 160 },
    note: 'frontal webcam photo inside the FaceID demo screenshot (sharpest photo of person A)',
  },
  personA_dinner: {
    person: 'A', path: human('samples.jpg'), crop: { left: 395, top: 0, width: 100, height: 125 },
    note: 'third thumbnail of samples.jpg: man in a suit at a dinner table (small, ~40 px face)',
  },
  personA_closeup: {
    person: 'A', path: human('screenshot-facematch.jpg'), crop: { left: 0, top: 20, width: 165, height: 175 },
    note: '"Selected Face" crop in the face-match screenshot (tight, soft)',
  },
  personB: {
    person: 'B', path: faceApi('sample3.jpg'), crop: { left: 1040, top: 180, width: 320, height: 420 },
    note: 'face-api sample3.jpg, woman in the middle; the same woman is on the right of sample1.jpg (docs/face-checks.md)',
  },
  personC: {
    person: 'C', path: faceApi('sample3.jpg'), crop: { left: 1400, top: 250, width: 330, height: 430 },
    note: 'face-api sample3.jpg, woman on the right',
  },
  personD: {
    person: 'D', path: human('samples.jpg'), crop: { left: 180, top: 0, width: 90, height: 115 },
    note: 'second thumbnail of samples.jpg: blonde woman in a navy dress',
  },
  personE: {
    person: 'E', path: faceApi('sample6.jpg'), crop: { left: 680, top: 250, width: 350, height: 450 },
    note: 'face-api sample6.jpg, second woman from the left',
  },
} as const satisfies Record<string, Portrait>;

export type PortraitId = keyof typeof PORTRAITS;
