// Liveness: challenge generation, the yaw-sequence rule, and real frame sequences built from person A's photos.
// Frames: grid cells of screenshot-facematch.jpg with measured yaw (0,0) −7°, (0,7) −17°, (0,16) −21°, (0,10) +1°;
// mirrored copies flip the yaw sign (+17°, +21°). See docs/face-checks.md.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { initFaceEngine } from '../../../../src/verification/engine/face/detect.js';
import { checkActiveLiveness, followYaw } from '../../../../src/verification/engine/liveness/active.js';
import { createChallenge, isChallenge } from '../../../../src/verification/engine/liveness/challenge.js';
import { demoSamples, files, gridCell } from './samples.js';

const mirror = async (b: Buffer) => sharp(b).flop().png().toBuffer();

describe('createChallenge', () => {
  it('returns a valid random sequence chosen by the rng', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const c = createChallenge(() => i / 6);
      expect(isChallenge(c)).toBe(true);
      expect(c.some((s) => s !== 'center')).toBe(true);
      seen.add(c.join(','));
    }
    expect(seen.size).toBe(6);
    expect(isChallenge(createChallenge())).toBe(true);
    expect(isChallenge(['turn_up'])).toBe(false);
  });
});

describe('followYaw', () => {
  it('accepts monotone segments that reach the target angles', () => {
    expect(followYaw([0, -8, -20, -25, -5, 10, 22], ['turn_left', 'turn_right'])).toEqual({ ok: true, ends: [3, 6] });
    expect(followYaw([2, 16, 3, -18], ['turn_right', 'center', 'turn_left']).ok).toBe(true);
  });
  it('rejects the wrong order, too-small turns and back-and-forth', () => {
    expect(followYaw([0, -8, -20, 10, 22], ['turn_right', 'turn_left']).ok).toBe(false);
    expect(followYaw([0, -10, -12, 5, 10], ['turn_left', 'turn_right']).ok).toBe(false);
    expect(followYaw([0, 10, -5, -20, 20], ['turn_left', 'turn_right']).ok).toBe(false);
  });
});

describe('checkActiveLiveness on real photos', () => {
  let frames: Buffer[];
  beforeAll(async () => {
    await initFaceEngine();
    const [a0, a7, a16, a10] = await Promise.all([gridCell(0, 0)(), gridCell(0, 7)(), gridCell(0, 16)(), gridCell(0, 10)()]);
    frames = [a0, a7, a16, a10, await mirror(a7), await mirror(a16)];
  }, 120_000);

  it('passes when the head turns follow the challenge, and marks itself advisory', async () => {
    const r = await checkActiveLiveness(frames, ['turn_left', 'center', 'turn_right']);
    expect(r.passed, r.reason).toBe(true);
    expect(r.advisory).toBe(true);
    expect(r.reason).toMatch(/advisory/i);
    expect((r.details as { yaw: number[] }).yaw[2]).toBeLessThan(-15);
  });

  it('fails when the turns are in the other order', async () => {
    const r = await checkActiveLiveness(frames, ['turn_right', 'center', 'turn_left']);
    expect(r.passed).toBe(false);
    expect(r.code).toBe('challenge_not_followed');
    expect(r.advisory).toBe(true);
  });

  it('fails when a frame shows another person or several faces', async () => {
    const other = await demoSamples(4)[0]!.load();
    const swapped = await checkActiveLiveness([frames[0]!, frames[1]!, other, frames[4]!], ['turn_left', 'turn_right']);
    expect(swapped.code).toBe('different_person');
    const group = await sharp(files.demo(1)).resize({ width: 960 }).jpeg().toBuffer();
    const crowded = await checkActiveLiveness([frames[0]!, group, frames[2]!], ['turn_left', 'turn_right']);
    expect(crowded.code).toBe('multiple_faces');
  });
});
