// Face detection + description on one still image: boxes, confidence, L2-normalised descriptor, head rotation
// and the passive liveness model outputs, all from a single Human pass.
import type { FaceResult, Tensor } from '@vladmandic/human';
import { thresholds } from '../../thresholds.js';
import { decodeRgb, type RgbImage } from './image.js';
import { loadHuman } from './human.js';

export interface DetectedFace {
  /** [x, y, width, height] in pixels of the decoded image. */
  box: [number, number, number, number];
  confidence: number;
  /** faceres descriptor, L2-normalised; null when the model produced none. */
  embedding: Float32Array | null;
  /** Head rotation in degrees (yaw > 0 = the head turned towards the image's left edge); null without a mesh. */
  yaw: number | null;
  pitch: number | null;
  roll: number | null;
  /** Human antispoof model: probability the face is real (advisory). */
  real: number | null;
  /** Human liveness model: probability the face is live (advisory). */
  live: number | null;
  /**
   * Five points in image pixels, in the order of the ArcFace alignment template: eye on the image's left, eye on
   * the image's right, nose tip, mouth corner on the left, mouth corner on the right. Null without a mesh.
   */
  landmarks5: Array<[number, number]> | null;
}

export interface Detection {
  width: number;
  height: number;
  faces: DetectedFace[];
}

/** Initialise the models once per thread (load + warm-up). */
export async function initFaceEngine(): Promise<void> {
  await loadHuman();
}

export function l2normalise(v: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i] as number) ** 2;
  const norm = Math.sqrt(sum) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) / norm;
  return out;
}

// FaceMesh (468-point) indices: eye corners 33/133 and 362/263, nose tip 1, mouth corners 61 and 291.
const FIVE_POINTS: number[][] = [[33, 133], [362, 263], [1], [61], [291]];

function fivePoints(mesh: FaceResult['mesh']): DetectedFace['landmarks5'] {
  if (!mesh || mesh.length < 468) return null;
  return FIVE_POINTS.map((ids): [number, number] => {
    const pts = ids.map((i) => mesh[i] as number[]);
    return [pts.reduce((a, p) => a + (p[0] ?? 0), 0) / pts.length, pts.reduce((a, p) => a + (p[1] ?? 0), 0) / pts.length];
  });
}

const deg = (rad: number | undefined) => (rad === undefined ? null : (rad * 180) / Math.PI);

function toFace(f: FaceResult): DetectedFace {
  const angle = f.rotation?.angle;
  return {
    box: f.box.map((n) => Math.round(n)) as DetectedFace['box'],
    confidence: f.score,
    embedding: f.embedding && f.embedding.length > 0 ? l2normalise(f.embedding) : null,
    yaw: deg(angle?.yaw),
    pitch: deg(angle?.pitch),
    roll: deg(angle?.roll),
    real: f.real ?? null,
    live: f.live ?? null,
    landmarks5: fivePoints(f.mesh),
  };
}

function iou(a: DetectedFace['box'], b: DetectedFace['box']): number {
  const x = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const y = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = x * y;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter || 1);
}

/**
 * Descriptor with flip test-time augmentation: the mean of the descriptors of the image and its mirror image.
 * On the calibration samples this cut the equal-error rate from 4.7% to 3.2% (see docs/face-checks.md).
 */
export async function embedWithFlip(img: RgbImage, face: DetectedFace): Promise<Float32Array | null> {
  if (!face.embedding) return null;
  const mirrored = await detectFaces(flipRgb(img));
  const box: DetectedFace['box'] = [img.width - face.box[0] - face.box[2], face.box[1], face.box[2], face.box[3]];
  const twin = mirrored.faces.filter((f) => f.embedding && iou(f.box, box) > 0.5).sort((p, q) => iou(q.box, box) - iou(p.box, box))[0];
  if (!twin?.embedding) return face.embedding;
  const sum = face.embedding.map((v, i) => v + (twin.embedding as Float32Array)[i]!);
  return l2normalise(sum);
}

export function flipRgb(img: RgbImage): RgbImage {
  const out = new Uint8Array(img.data.length);
  const row = img.width * 3;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const src = y * row + x * 3;
      const dst = y * row + (img.width - 1 - x) * 3;
      out[dst] = img.data[src]!;
      out[dst + 1] = img.data[src + 1]!;
      out[dst + 2] = img.data[src + 2]!;
    }
  }
  return { data: out, width: img.width, height: img.height };
}

// Human keeps per-instance state during detect(); calls in one thread run one at a time.
let queue: Promise<unknown> = Promise.resolve();

/** Every face Human finds at or above the detection confidence, largest first. */
export async function detectFaces(input: Buffer | RgbImage): Promise<Detection> {
  const img = Buffer.isBuffer(input) ? await decodeRgb(input) : input;
  const run = queue.then(() => detectRgb(img));
  queue = run.catch(() => undefined);
  return run;
}

/** Human types its bundled TensorFlow as `any`; this is the one factory we call on it. */
interface TensorFactory {
  tensor(values: Uint8Array, shape: number[], dtype: 'int32'): Tensor;
}

async function detectRgb(img: RgbImage): Promise<Detection> {
  const human = await loadHuman();
  const tensor = (human.tf as TensorFactory).tensor(img.data, [1, img.height, img.width, 3], 'int32');
  try {
    const result = await human.detect(tensor);
    const faces = result.face
      .filter((f) => f.score >= thresholds.face.detectMinConfidence)
      .map(toFace)
      .sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3]);
    return { width: img.width, height: img.height, faces };
  } finally {
    tensor.dispose();
  }
}
