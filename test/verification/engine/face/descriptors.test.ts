// The pluggable face descriptor: its setting (FACE_* variables), the threshold file an operator's calibration
// writes, the three-zone face.match check and the five-point alignment an ONNX model is fed with.
// The ONNX model path itself is not run here: no ONNX face-recognition model ships in an npm package.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../../src/config.js';
import { alignedCrop } from '../../../../src/verification/engine/face/descriptors/align.js';
import { buildThresholdFile } from '../../../../src/verification/engine/face/descriptors/calibrate.js';
import { DEFAULT_DESCRIPTOR } from '../../../../src/verification/engine/face/descriptors/setting.js';
import { readThresholdFile } from '../../../../src/verification/engine/face/descriptors/threshold-file.js';
import { toInput } from '../../../../src/verification/engine/face/descriptors/onnx.js';
import { createDescriptor } from '../../../../src/verification/engine/face/descriptors/index.js';
import { detectFaces } from '../../../../src/verification/engine/face/detect.js';
import { decodeRgb } from '../../../../src/verification/engine/face/image.js';
import { cosine, faceMatchCheck } from '../../../../src/verification/engine/face/match.js';
import { gridCell } from './samples.js';

const onnxEnv = {
  FACE_DESCRIPTOR: 'onnx',
  FACE_ONNX_NAME: 'arcface-r100',
  FACE_ONNX_MODEL: '/models/arcface.onnx',
  FACE_ONNX_INPUT_SIZE: '112',
  FACE_ONNX_THRESHOLDS: '/models/arcface.thresholds.json',
};

describe('FACE_DESCRIPTOR setting', () => {
  it('defaults to the built-in descriptor and accepts the other built-in', () => {
    expect(loadConfig({}).verification.faceDescriptor).toEqual(DEFAULT_DESCRIPTOR);
    expect(loadConfig({ FACE_DESCRIPTOR: 'faceapi-resnet34' }).verification.faceDescriptor).toEqual({ kind: 'faceapi-resnet34' });
  });

  it('parses an ONNX model with its preprocessing', () => {
    const s = loadConfig({ ...onnxEnv, FACE_ONNX_MEAN: '127.5, 127.5, 127.5', FACE_ONNX_STD: '128,128,128', FACE_ONNX_CHANNELS: 'bgr' }).verification.faceDescriptor;
    expect(s).toEqual({
      kind: 'onnx', name: 'arcface-r100', modelPath: '/models/arcface.onnx', inputSize: 112, mean: [127.5, 127.5, 127.5],
      std: [128, 128, 128], channelOrder: 'bgr', layout: 'nchw', thresholdsPath: '/models/arcface.thresholds.json',
    });
  });

  it('refuses an ONNX setting without a model, with a bad normalisation or an unknown descriptor', () => {
    expect(() => loadConfig({ ...onnxEnv, FACE_ONNX_MODEL: '' })).toThrow(/FACE_ONNX_MODEL/);
    expect(() => loadConfig({ ...onnxEnv, FACE_ONNX_THRESHOLDS: '' })).toThrow(/FACE_ONNX_THRESHOLDS/);
    expect(() => loadConfig({ ...onnxEnv, FACE_ONNX_STD: '1,0,1' })).toThrow(/FACE_ONNX_STD/);
    expect(() => loadConfig({ ...onnxEnv, FACE_ONNX_MEAN: '1,2' })).toThrow(/FACE_ONNX_MEAN/);
    expect(() => loadConfig({ ...onnxEnv, FACE_ONNX_INPUT_SIZE: '4' })).toThrow(ConfigError);
    expect(() => loadConfig({ FACE_DESCRIPTOR: 'arcface' })).toThrow(/FACE_DESCRIPTOR/);
  });
});

describe('threshold file from labelled pairs', () => {
  // 1000 impostor scores 0.000…0.999 spread over [0.1, 0.6); 100 genuine scores over [0.5, 0.9).
  const impostor = Array.from({ length: 1000 }, (_, i) => 0.1 + (i / 1000) * 0.5);
  const genuine = Array.from({ length: 100 }, (_, i) => 0.5 + (i / 100) * 0.4);

  it('puts approve above all but FAR ≤ 0.1% of impostors and review at FRR ≤ 5%', () => {
    const f = buildThresholdFile('onnx:test', { genuine, impostor, identities: 12 }, undefined, new Date('2026-12-03T00:00:00Z'));
    expect(impostor.filter((s) => s >= f.approve).length).toBeLessThanOrEqual(1);
    expect(impostor.filter((s) => s >= f.approve - 0.002).length).toBeGreaterThan(1); // the lowest such threshold
    expect(genuine.filter((s) => s < f.review).length).toBeLessThanOrEqual(5);
    expect(genuine.filter((s) => s < f.review + 0.005).length).toBeGreaterThan(5);
    expect(f.review).toBeLessThanOrEqual(f.approve);
    expect(f.pairs).toEqual({ genuine: 100, impostor: 1000, identities: 12 });
    const atApprove = f.roc.find((r) => Math.abs(r.threshold - Math.round(f.approve * 100) / 100) < 1e-9);
    expect(atApprove?.far).toBeLessThanOrEqual(0.002);
    expect(f.rule).toMatch(/Only 1000 impostor pairs/); // 0.1% needs ≥ 3000 pairs to be shown with 0 false accepts
  });

  it('round-trips through the file the engine reads, and the reader refuses a broken one', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kp-face-'));
    const file = path.join(dir, 't.json');
    const f = buildThresholdFile('onnx:test', { genuine, impostor, identities: 3 });
    await fs.writeFile(file, JSON.stringify(f));
    await expect(readThresholdFile(file)).resolves.toEqual(f);
    await fs.writeFile(file, JSON.stringify({ ...f, review: f.approve + 0.1 }));
    await expect(readThresholdFile(file)).rejects.toThrow(/review must not exceed approve/);
    await fs.writeFile(file, '{');
    await expect(readThresholdFile(file)).rejects.toThrow(/could not be read/);
    await fs.rm(dir, { recursive: true });
  });
});

describe('face.match three zones', () => {
  const t = { approve: 0.65, review: 0.53 };
  it('approves at approve, asks for review in between, rejects below review', () => {
    const hi = faceMatchCheck(0.65, t, 'd');
    expect(hi).toMatchObject({ passed: true, threshold: 0.65, details: { review_threshold: 0.53, descriptor: 'd' } });
    expect(hi.code).toBeUndefined();
    expect(faceMatchCheck(0.6, t, 'd')).toMatchObject({ passed: false, code: 'face_uncertain' });
    expect(faceMatchCheck(0.53, t, 'd')).toMatchObject({ passed: false, code: 'face_uncertain' });
    expect(faceMatchCheck(0.529, t, 'd')).toMatchObject({ passed: false, code: 'face_mismatch' });
  });
});

describe('ONNX input preparation', () => {
  it('warps landmarks placed on the template onto themselves (identity alignment)', () => {
    const data = new Uint8Array(112 * 112 * 3).map((_, i) => (i * 7) % 251);
    const img = { data, width: 112, height: 112 };
    const template: Array<[number, number]> = [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]];
    const out = alignedCrop(img, template, 112);
    const inner = (d: Uint8Array) => Array.from({ length: 100 }, (_, k) => d[((10 + k) * 112 + 10 + k) * 3]);
    expect(inner(out.data)).toEqual(inner(data));
  });

  it('normalises per channel in the model order and layout', () => {
    const crop = { data: new Uint8Array([10, 20, 30, 40, 50, 60]), width: 2, height: 1 };
    const nchw = toInput(crop, { mean: [0, 0, 0], std: [10, 10, 10], channelOrder: 'bgr', layout: 'nchw' });
    expect(Array.from(nchw)).toEqual([3, 6, 2, 5, 1, 4]);
    const nhwc = toInput(crop, { mean: [10, 20, 30], std: [1, 1, 1], channelOrder: 'rgb', layout: 'nhwc' });
    expect(Array.from(nhwc)).toEqual([0, 0, 0, 30, 30, 30]);
  });
});

describe('built-in descriptors', () => {
  it('face-api ResNet-34 embeds the engine-detected face as a normalised 128-d vector, its mirror image nearly the same', async () => {
    const d = await createDescriptor({ kind: 'faceapi-resnet34' });
    expect({ id: d.id, dimensions: d.dimensions }).toEqual({ id: 'faceapi-resnet34', dimensions: 128 });
    const img = await decodeRgb(await gridCell(0, 1)());
    const face = (await detectFaces(img)).faces[0]!;
    const e = await d.embed(img, face);
    expect(e).toHaveLength(128);
    expect(Math.hypot(...e!)).toBeCloseTo(1, 4);
    const other = await decodeRgb(await gridCell(3, 5)());
    const e2 = await d.embed(other, (await detectFaces(other)).faces[0]!);
    expect(cosine(e!, e!)).toBeCloseTo(1, 6);
    expect(cosine(e!, e2!)).toBeLessThan(0.99);
  }, 120_000);
});
