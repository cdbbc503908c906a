// Engine failures as API errors: a crashed worker is a retryable 503, the engines' typed image errors are the
// client's 422, and anything else (a bug such as a TypeError inside the engine) is logged and stays a 500.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../src/http/errors.js';
import { toApiError } from '../../../src/http/middleware/errors.js';
import { engineCall } from '../../../src/verification/engine/engines.js';
import { EngineTaskError, EngineTaskTimeoutError, EngineWorkerCrashedError } from '../../../src/verification/engine/pool.js';

const fail = (err: unknown) => () => Promise.reject(err);

afterEach(() => vi.restoreAllMocks());

describe('engineCall', () => {
  it('passes results through', async () => {
    await expect(engineCall('document', async () => 42)).resolves.toBe(42);
  });

  it('a crashed worker → 503 engine_unavailable with Retry-After', async () => {
    const err = await engineCall('faces', fail(new EngineWorkerCrashedError('worker exited'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 503, code: 'engine_unavailable', headers: { 'Retry-After': '5' } });
  });

  it('a task over its time budget → 422 image_too_complex (the worker was replaced)', async () => {
    const err = await engineCall('document', fail(new EngineTaskTimeoutError('document', 30_000))).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 422, code: 'image_too_complex', message: expect.stringMatching(/within 30 s/) });
  });

  it.each(['document_image_invalid', 'unreadable_image'])('the typed image error %s → 422 corrupt_image', async (code) => {
    const err = await engineCall('document', fail(new EngineTaskError('front image cannot be decoded: bad huffman', code, 'DocumentImageError'))).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 422, code: 'corrupt_image' });
  });

  it('any other engine failure (a TypeError in the worker) is logged and answered as a 500, not a client error', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const original = new EngineTaskError("Cannot read properties of undefined (reading 'shape')", undefined, 'TypeError');
    const err = await engineCall('faces', fail(original)).catch((e: unknown) => e);
    expect(err).toBe(original);
    expect(toApiError(err)).toMatchObject({ status: 500, code: 'internal_error' });
    const lines = stderr.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('verification engine task failed'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', task: 'faces', error: 'TypeError' });
  });
});
