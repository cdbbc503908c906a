// The "exactly one face" rule for selfies and liveness frames.
import { thresholds } from '../../thresholds.js';
import type { CheckResult } from '../types.js';
import type { DetectedFace } from './detect.js';

/** Faces that count on a selfie: confident and not much smaller than the main face (ignores tiny far-away faces). */
export function countSelfieFaces(faces: DetectedFace[]): number {
  const largest = faces[0];
  if (!largest) return 0;
  return faces.filter((f) => f.box[2] >= largest.box[2] * thresholds.face.selfieMinRelativeFaceWidth).length;
}

export function selfieFaceCheck(count: number): CheckResult {
  const base = { name: 'face.selfie_single_face', score: count, threshold: 1 };
  if (count === 1) return { ...base, passed: true, reason: 'Exactly one face was found on the selfie.' };
  if (count === 0) return { ...base, passed: false, code: 'no_face', reason: 'No face was found on the selfie.' };
  return {
    ...base,
    passed: false,
    code: 'multiple_faces',
    reason: `${count} faces were found on the selfie; it must show only the person being verified.`,
  };
}
