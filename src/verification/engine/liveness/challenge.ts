// Active liveness challenges: a random order of head turns the user must perform on camera.
import crypto from 'node:crypto';

export type ChallengeStep = 'turn_left' | 'turn_right' | 'center';
export const CHALLENGE_STEPS: readonly ChallengeStep[] = ['turn_left', 'turn_right', 'center'];

const SEQUENCES: ChallengeStep[][] = [
  ['turn_left', 'turn_right'],
  ['turn_right', 'turn_left'],
  ['turn_left', 'center', 'turn_right'],
  ['turn_right', 'center', 'turn_left'],
  ['turn_left', 'center'],
  ['turn_right', 'center'],
];

/** rng returns a float in [0, 1); defaults to a CSPRNG so challenges cannot be predicted. */
export function createChallenge(rng: () => number = () => crypto.randomInt(0, 2 ** 32) / 2 ** 32): ChallengeStep[] {
  const i = Math.min(SEQUENCES.length - 1, Math.floor(rng() * SEQUENCES.length));
  return [...(SEQUENCES[i] as ChallengeStep[])];
}

export function isChallenge(steps: readonly string[]): steps is ChallengeStep[] {
  return steps.length > 0 && steps.length <= 5 && steps.every((s) => (CHALLENGE_STEPS as readonly string[]).includes(s));
}
