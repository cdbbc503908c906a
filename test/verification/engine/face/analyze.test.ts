// Face engine on real photos: generated ID documents carry a face photo, selfies are other photos.
// Identities: person A = the man in many photos of @vladmandic/human's assets; see samples.ts.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeFaces } from '../../../../src/verification/engine/face/analyze.js';
import { detectFaces, initFaceEngine } from '../../../../src/verification/engine/face/detect.js';
import { FaceImageError } from '../../../../src/verification/engine/face/image.js';
import type { CheckResult } from '../../../../src/verification/engine/types.js';
import { thresholds } from '../../../../src/verification/thresholds.js';
import { generateIdCard, generatePassport, PORTRAITS, type Portrait } from '../../../support/documents/index.js';
import { files, gridCell, gridSource } from './samples.js';

const personAPortrait: Portrait = { person: 'A', ...gridSource(0, 3), note: 'grid cell (0,3)' };
const byName = (checks: CheckResult[], name: string) => checks.find((c) => c.name === name);

describe('analyzeFaces', () => {
  let selfieA: Buffer;
  let cardA: Buffer;
  beforeAll(async () => {
    await initFaceEngine();
    selfieA = await gridCell(0, 1)();
    cardA = (await generateIdCard({ portrait: personAPortrait })).front;
  }, 120_000);

  it('matches the same person in two different photos (portrait printed on an ID card)', async () => {
    const r = await analyzeFaces({ documentImage: cardA, selfie: selfieA });
    expect(r.portraitFound).toBe(true);
    expect(r.selfieFaceCount).toBe(1);
    expect(r.similarity).toBeGreaterThanOrEqual(thresholds.face.match.approve);
    const match = byName(r.checks, 'face.match');
    expect(match?.passed).toBe(true);
    expect(match?.details).toEqual({ review_threshold: thresholds.face.match.review, descriptor: 'human-faceres+flip' });
    expect(r.descriptor).toBe('human-faceres+flip');
    expect(r.embedding).toHaveLength(1024);
    const norm = Math.hypot(...(r.embedding as number[]));
    expect(norm).toBeCloseTo(1, 4);
    const passive = byName(r.checks, 'liveness.passive');
    expect(passive?.advisory).toBe(true);
    expect(passive?.reason).toMatch(/advisory/i);
  });

  it('does not match different people', async () => {
    const passport = await generatePassport({ portrait: PORTRAITS.personC });
    const r = await analyzeFaces({ documentImage: passport.image, selfie: selfieA });
    expect(r.portraitFound).toBe(true);
    expect(r.similarity).toBeLessThan(thresholds.face.match.review);
    const match = byName(r.checks, 'face.match');
    expect(match?.passed).toBe(false);
    expect(match?.code).toBe('face_mismatch');
  });

  it('rejects a group photo as selfie with multiple_faces', async () => {
    const group = await sharp(files.demo(1)).resize({ width: 1280 }).jpeg().toBuffer();
    const r = await analyzeFaces({ documentImage: cardA, selfie: group });
    expect(r.selfieFaceCount).toBe(3);
    const check = byName(r.checks, 'face.selfie_single_face');
    expect(check?.code).toBe('multiple_faces');
    expect(check?.reason).toMatch(/3 faces/);
    expect(r.similarity).toBeNull();
    expect(byName(r.checks, 'face.match')).toBeUndefined();
  });

  it('reports no_face for a selfie and a document without a face', async () => {
    const card = await generateIdCard({ portrait: personAPortrait });
    const r = await analyzeFaces({ documentImage: card.back, selfie: card.back });
    expect(r.portraitFound).toBe(false);
    expect(byName(r.checks, 'face.document_portrait')?.code).toBe('no_face');
    expect(r.selfieFaceCount).toBe(0);
    expect(byName(r.checks, 'face.selfie_single_face')?.code).toBe('no_face');
  });

  it('rejects bytes that are not an image', async () => {
    await expect(detectFaces(Buffer.from('not an image'))).rejects.toBeInstanceOf(FaceImageError);
  });
});
