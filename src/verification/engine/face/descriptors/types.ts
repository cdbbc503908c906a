// A face descriptor turns one detected face into an L2-normalised vector; cosine similarity compares two of them.
// Each implementation carries its own match thresholds: scores of different models are on different scales.
import type { DetectedFace } from '../detect.js';
import type { RgbImage } from '../image.js';

/** Cosine similarity cut-offs of the face.match check: approve at or above, review in between, mismatch below. */
export interface MatchThresholds {
  approve: number;
  review: number;
}

export interface FaceDescriptor {
  /**
   * Stored with every template. Changes whenever descriptors stop being comparable (another model, alignment or
   * normalisation), so 1:N search never compares vectors of two models.
   */
  readonly id: string;
  /** Length of the vector; at most 1024 (the dedup sketch pads to 1024). */
  readonly dimensions: number;
  readonly match: MatchThresholds;
  /** Descriptor of `face` (found by the engine's detector on `img`), L2-normalised; null when the model finds no face there. */
  embed(img: RgbImage, face: DetectedFace): Promise<Float32Array | null>;
}

export const MAX_DIMENSIONS = 1024;
