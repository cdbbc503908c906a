// Active liveness: do the head turns across the frames follow the challenge?
// Yaw convention (Human's facemesh, checked on sample photos): yaw > 0 when the face points towards the LEFT edge
// of the image. Frames are raw (unmirrored) camera frames, so when the user turns to their own left the face
// points to the image's right: turn_left ⇒ yaw ≤ −minTurn, turn_right ⇒ yaw ≥ +minTurn, center ⇒ |yaw| ≤ maxCenter.
// ADVISORY: a replayed video of the person turning their head passes this; it only raises the bar for a photo.
import { thresholds } from '../../thresholds.js';
import { countSelfieFaces } from '../face/selfie.js';
import { activeDescriptor } from '../face/descriptors/index.js';
import { detectFaces } from '../face/detect.js';
import { decodeRgb } from '../face/image.js';
import { cosine } from '../face/match.js';
import type { CheckResult } from '../types.js';
import { isChallenge, type ChallengeStep } from './challenge.js';

const ADVISORY = 'Advisory only: head-turn liveness is not validated against replayed video or masks.';

function fail(code: string, reason: string, details?: Record<string, unknown>): CheckResult {
  const t = thresholds.face.activeLiveness;
  return { name: 'liveness.active', passed: false, score: null, threshold: t.minTurnDegrees, advisory: true, code, reason: `${reason} ${ADVISORY}`, ...(details ? { details } : {}) };
}

const reached = (step: ChallengeStep, yaw: number): boolean => {
  const t = thresholds.face.activeLiveness;
  if (step === 'turn_left') return yaw <= -t.minTurnDegrees;
  if (step === 'turn_right') return yaw >= t.minTurnDegrees;
  return Math.abs(yaw) <= t.maxCenterDegrees;
};

/** Does yaw move steadily towards the step's target between two frames (jitter tolerated)? */
const towards = (step: ChallengeStep, from: number, to: number): boolean => {
  const jitter = thresholds.face.activeLiveness.jitterDegrees;
  if (step === 'turn_left') return to <= from + jitter;
  if (step === 'turn_right') return to >= from - jitter;
  return Math.abs(to) <= Math.abs(from) + jitter;
};

/** Index of the last frame of each step, or the step that could not be completed. */
export function followYaw(yaws: number[], challenge: ChallengeStep[]): { ok: true; ends: number[] } | { ok: false; step: number } {
  const ends: number[] = [];
  let i = 0;
  for (const [s, step] of challenge.entries()) {
    let j = i;
    while (j < yaws.length && !reached(step, yaws[j] as number)) {
      if (j + 1 < yaws.length && !towards(step, yaws[j] as number, yaws[j + 1] as number)) return { ok: false, step: s };
      j++;
    }
    if (j >= yaws.length) return { ok: false, step: s };
    // The user may keep turning a little past the target: the step ends at the last frame still on target.
    while (j + 1 < yaws.length && reached(step, yaws[j + 1] as number)) j++;
    ends.push(j);
    i = j;
  }
  return { ok: true, ends };
}

/**
 * Frames must each show exactly one face, all the same person (cosine similarity to the first frame — or to the
 * selfie descriptor when given — at or above the descriptor's review threshold), start near centre and follow the challenge.
 */
export async function checkActiveLiveness(frames: Buffer[], challenge: string[], reference?: Float32Array): Promise<CheckResult> {
  const t = thresholds.face.activeLiveness;
  if (!isChallenge(challenge)) return fail('invalid_challenge', 'The challenge is not a valid sequence of head turns.');
  if (frames.length < challenge.length + 1 || frames.length > t.maxFrames) {
    return fail('frame_count', `Expected between ${challenge.length + 1} and ${t.maxFrames} frames, got ${frames.length}.`);
  }
  const descriptor = await activeDescriptor();
  const yaws: number[] = [];
  let ref = reference;
  let minSimilarity = 1;
  for (const [i, frame] of frames.entries()) {
    const img = await decodeRgb(frame);
    const { faces } = await detectFaces(img);
    const count = countSelfieFaces(faces);
    const face = faces[0];
    const embedding = count === 1 && face ? await descriptor.embed(img, face) : null;
    if (count !== 1 || !face || face.yaw === null || !embedding) {
      return fail(count === 0 ? 'no_face' : 'multiple_faces', `Frame ${i + 1} shows ${count} faces; every frame must show exactly one.`);
    }
    ref ??= embedding;
    const sim = cosine(ref, embedding);
    minSimilarity = Math.min(minSimilarity, sim);
    // The review threshold: a turned head scores lower than a frontal selfie, and this check only has to catch a
    // swapped-in other person; approving the face is face.match's job.
    if (sim < descriptor.match.review) {
      return fail('different_person', `Frame ${i + 1} does not show the same person (similarity ${sim.toFixed(3)}).`);
    }
    yaws.push(Math.round(face.yaw * 10) / 10);
  }
  const details = { yaw: yaws, challenge, minSimilarity: Math.round(minSimilarity * 1000) / 1000 };
  if (Math.abs(yaws[0] as number) > t.maxCenterDegrees) {
    return fail('not_centered', `The first frame must face the camera (yaw ${yaws[0]}°).`, details);
  }
  const result = followYaw(yaws, challenge);
  if (!result.ok) {
    return fail('challenge_not_followed', `The head turns do not follow the challenge at step ${result.step + 1} (${challenge[result.step]}).`, details);
  }
  const peak = Math.max(...yaws.map(Math.abs));
  return {
    name: 'liveness.active',
    passed: true,
    score: peak,
    threshold: t.minTurnDegrees,
    advisory: true,
    reason: `The head turns follow the challenge ${challenge.join(' → ')} (peak yaw ${peak}°). ${ADVISORY}`,
    details,
  };
}
