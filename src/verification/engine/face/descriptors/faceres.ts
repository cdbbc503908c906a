// Human's FaceRes descriptor (1024-d, from the same pass that detects the face), flip-averaged: the descriptor of
// the image and of its mirror image, summed and re-normalised (embedWithFlip; see docs/face-checks.md).
import { descriptorId } from './setting.js';
import { thresholds } from '../../../thresholds.js';
import { embedWithFlip } from '../detect.js';
import type { FaceDescriptor } from './types.js';

export function humanFaceres(): FaceDescriptor {
  return {
    id: descriptorId({ kind: 'human-faceres' }),
    dimensions: 1024,
    match: thresholds.face.match,
    embed: (img, face) => embedWithFlip(img, face),
  };
}
