// Passive presentation-attack detection on the selfie with Human's antispoof and liveness models.
// ADVISORY: no real presentation-attack data set exists here, and on generated print, screen-replay and recapture
// attacks (bench/liveness-attacks.ts) most attacks passed while a fifth of the bona fide sample photos failed;
// the antispoof model even scored the attacks as more "real". Measured figures: docs/face-checks.md.
import { thresholds } from '../../thresholds.js';
import type { DetectedFace } from '../face/detect.js';
import type { CheckResult } from '../types.js';

const ADVISORY =
  'Advisory only: the passive liveness models are not validated against presentation attacks and pass most generated print and screen-replay attacks; a pass is not proof of a live person.';

export function passiveLivenessCheck(face: DetectedFace): CheckResult {
  const { antispoofMin, liveMin } = thresholds.face.passiveLiveness;
  if (face.real === null || face.live === null) {
    return {
      name: 'liveness.passive',
      passed: false,
      score: null,
      threshold: antispoofMin,
      advisory: true,
      code: 'not_measurable',
      reason: `The liveness models returned no score for the selfie. ${ADVISORY}`,
    };
  }
  const passed = face.real >= antispoofMin && face.live >= liveMin;
  const score = Math.round(Math.min(face.real, face.live) * 1000) / 1000;
  return {
    name: 'liveness.passive',
    passed,
    score,
    threshold: Math.min(antispoofMin, liveMin),
    advisory: true,
    ...(passed ? {} : { code: 'possible_spoof' }),
    reason: `${passed ? 'The selfie looks like a live face' : 'The selfie may be a photo of a photo or screen'} (antispoof ${face.real.toFixed(2)}, liveness ${face.live.toFixed(2)}). ${ADVISORY}`,
    details: { antispoof: Math.round(face.real * 1000) / 1000, liveness: Math.round(face.live * 1000) / 1000 },
  };
}
