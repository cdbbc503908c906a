// face-api's recognition net (dlib's ResNet-34 metric network, 128-d) on a face found by the engine's detector:
// face-api's 68-point landmark net on the detector's box, then face-api's own landmark alignment.
import { descriptorId } from './setting.js';
import { thresholds } from '../../../thresholds.js';
import type { DetectedFace } from '../detect.js';
import { l2normalise } from '../detect.js';
import type { RgbImage } from '../image.js';
import { loadFaceApi, type FaceApi } from './faceapi-runtime.js';
import type { FaceDescriptor } from './types.js';

type Tensor3D = Awaited<ReturnType<FaceApi['extractFaceTensors']>>[number];

/**
 * The landmark net was trained on face-api's SSD boxes, which reach from the chin to above the brows; the
 * engine's box is tighter, so it is squared and widened by this factor around its centre before landmarking.
 */
const BOX_GROWTH = 1.15;

function squareBox(face: DetectedFace, img: RgbImage): { x: number; y: number; width: number; height: number } {
  const [x, y, w, h] = face.box;
  const side = Math.max(w, h) * BOX_GROWTH;
  const cx = x + w / 2;
  const cy = y + h / 2;
  const left = Math.max(0, Math.round(cx - side / 2));
  const top = Math.max(0, Math.round(cy - side / 2));
  return {
    x: left,
    y: top,
    width: Math.max(1, Math.min(img.width - left, Math.round(side))),
    height: Math.max(1, Math.min(img.height - top, Math.round(side))),
  };
}

async function describe(api: FaceApi, image: Tensor3D, box: { x: number; y: number; width: number; height: number }) {
  const [crop] = await api.extractFaceTensors(image, [new api.Rect(box.x, box.y, box.width, box.height)]);
  if (!crop) return null;
  try {
    const found = await api.nets.faceLandmark68Net.detectLandmarks(crop);
    const landmarks = Array.isArray(found) ? found[0] : found;
    if (!landmarks) return null;
    const aligned = landmarks.shiftBy(box.x, box.y).align();
    const [face] = await api.extractFaceTensors(image, [aligned]);
    if (!face) return null;
    try {
      const out = await api.nets.faceRecognitionNet.computeFaceDescriptor(face);
      const vector = Array.isArray(out) ? out[0] : out;
      return vector ? l2normalise(vector) : null;
    } finally {
      face.dispose();
    }
  } finally {
    crop.dispose();
  }
}

export interface FaceApiDescriptor extends FaceDescriptor {
  /** face-api's own pipeline (SSD detector, landmarks, alignment, descriptor) on the largest face, for benches. */
  embedOwnDetector(img: RgbImage): Promise<Float32Array | null>;
}

export async function faceApiResnet34(): Promise<FaceApiDescriptor> {
  const api = await loadFaceApi();
  const withImage = async <T>(img: RgbImage, fn: (t: Tensor3D) => Promise<T>): Promise<T> => {
    const tensor = api.tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
    try {
      return await fn(tensor);
    } finally {
      tensor.dispose();
    }
  };
  return {
    id: descriptorId({ kind: 'faceapi-resnet34' }),
    dimensions: 128,
    match: thresholds.face.faceApiMatch,
    embed: (img, face) => withImage(img, (t) => describe(api, t, squareBox(face, img))),
    embedOwnDetector: async (img) => {
      const full = await loadFaceApi(true);
      return withImage(img, async (t) => {
        const dets = await full.detectAllFaces(t, new full.SsdMobilenetv1Options({ minConfidence: 0.5 }));
        const best = dets.sort((a, b) => b.box.area - a.box.area)[0];
        if (!best) return null;
        const b = best.box;
        return describe(full, t, { x: Math.max(0, b.x), y: Math.max(0, b.y), width: b.width, height: b.height });
      });
    },
  };
}
