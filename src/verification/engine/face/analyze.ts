// Face half of a verification: document portrait, selfie (exactly one face), match, passive + active liveness.
import { thresholds } from '../../thresholds.js';
import { checkActiveLiveness } from '../liveness/active.js';
import { passiveLivenessCheck } from '../liveness/passive.js';
import type { CheckResult } from '../types.js';
import { activeDescriptor } from './descriptors/index.js';
import { detectFaces, type DetectedFace } from './detect.js';
import { decodeRgb, fitWithin } from './image.js';
import { cosine, faceMatchCheck } from './match.js';
import { countSelfieFaces, selfieFaceCheck } from './selfie.js';

export interface FaceAnalysisInput {
  documentImage: Buffer;
  selfie?: Buffer;
  frames?: Buffer[];
  challenge?: string[];
  /** Downscale the images first (longest edge in px): the decide path passes full uploads. */
  fit?: { face: number; frames: number };
}

export interface FaceAnalysis {
  portraitFound: boolean;
  /** Faces counted on the selfie (null when no selfie was given). */
  selfieFaceCount: number | null;
  /** Cosine similarity portrait vs selfie; null when either face is missing. */
  similarity: number | null;
  /** Selfie descriptor (L2-normalised, ≤ 1024-d) for 1:N dedup; plain numbers so it crosses a thread boundary. */
  embedding: number[] | null;
  /** Id of the descriptor that made `embedding` (e.g. "faceapi-resnet34"); templates of different ids never compare. */
  descriptor: string | null;
  /** That descriptor's face.match review threshold: 1:N flags another person's face at or above it. */
  reviewThreshold: number | null;
  checks: CheckResult[];
}

function portraitCheck(face: DetectedFace | undefined): CheckResult {
  return face
    ? {
        name: 'face.document_portrait',
        passed: true,
        score: round(face.confidence),
        threshold: thresholds.face.detectMinConfidence,
        reason: 'A face portrait was found on the document.',
      }
    : {
        name: 'face.document_portrait',
        passed: false,
        score: null,
        threshold: thresholds.face.detectMinConfidence,
        code: 'no_face',
        reason: 'No face portrait was found on the document image.',
      };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

async function fitted(input: FaceAnalysisInput): Promise<FaceAnalysisInput> {
  const { fit } = input;
  if (!fit) return input;
  const [documentImage, selfie, frames] = await Promise.all([
    fitWithin(input.documentImage, fit.face),
    input.selfie && fitWithin(input.selfie, fit.face),
    input.frames && Promise.all(input.frames.map((f) => fitWithin(f, fit.frames))),
  ]);
  return { ...input, documentImage, selfie, frames };
}

export async function analyzeFaces(raw: FaceAnalysisInput): Promise<FaceAnalysis> {
  const input = await fitted(raw);
  const descriptor = await activeDescriptor();
  const checks: CheckResult[] = [];
  const docImg = await decodeRgb(input.documentImage);
  const docFaces = await detectFaces(docImg);
  // The portrait is the largest confident face (documents may also carry a small ghost image of it).
  const portrait = docFaces.faces[0];
  checks.push(portraitCheck(portrait));
  const portraitEmbedding = portrait ? await descriptor.embed(docImg, portrait) : null;

  let selfieFaceCount: number | null = null;
  let similarity: number | null = null;
  let embedding: Float32Array | null = null;
  if (input.selfie) {
    const selfieImg = await decodeRgb(input.selfie);
    const selfie = await detectFaces(selfieImg);
    selfieFaceCount = countSelfieFaces(selfie.faces);
    checks.push(selfieFaceCheck(selfieFaceCount));
    const face = selfie.faces[0];
    if (selfieFaceCount === 1 && face) {
      embedding = await descriptor.embed(selfieImg, face);
      checks.push(passiveLivenessCheck(face));
      if (embedding && portraitEmbedding) {
        similarity = round(cosine(portraitEmbedding, embedding));
        checks.push(faceMatchCheck(similarity, descriptor.match, descriptor.id));
      }
    }
  }
  // A challenge without frames (or frames without a challenge) is reported as a failed check, not skipped.
  if (input.frames || input.challenge) {
    checks.push(await checkActiveLiveness(input.frames ?? [], input.challenge ?? [], embedding ?? undefined));
  }
  return {
    portraitFound: Boolean(portrait),
    selfieFaceCount,
    similarity,
    embedding: embedding ? Array.from(embedding) : null,
    descriptor: embedding ? descriptor.id : null,
    reviewThreshold: embedding ? descriptor.match.review : null,
    checks,
  };
}
