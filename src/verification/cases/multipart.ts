// Streaming multipart parser for uploads. Every file part streams into a sealed temporary file (temp-files.ts), so
// a body in flight costs disk, not memory; the moment a file, the request total, or the part count goes over,
// parsing stops (the request stream is unpiped and paused) and a 4xx is thrown, so a 1 GB body is refused after
// ~10 MB. A body that stalls (nothing for idleTimeoutMs) or drags on (past bodyTimeoutMs) is answered 408. What the
// client keeps sending is discarded for a short linger (bounded in time and bytes, so it can read our answer
// instead of hitting a reset mid-write), then the connection is closed. On any failure the temporary files
// written so far are deleted once their writes have closed.
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { ApiError, BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../http/errors.js';
import type { TempFile, TempUploadDir } from './temp-files.js';

export interface MultipartLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
  maxFiles: number;
  maxFields: number;
  maxFieldBytes: number;
}

export interface MultipartResult {
  files: Map<string, TempFile[]>;
  fields: Map<string, string>;
}

/** Where file parts go and how long the body may take. */
export interface MultipartSink {
  temp: TempUploadDir;
  idleTimeoutMs: number;
  bodyTimeoutMs: number;
}

export interface MultipartRules {
  fileFields: readonly string[];
  textFields: readonly string[];
  /** Called first for every part name (files and fields); throw to refuse the request. */
  checkName?: (name: string) => void;
}

const LINGER_MS = 2_000;
const LINGER_BYTES = 8 * 1_048_576;

/** Discard the rest of an abandoned body for a bounded time/amount, then drop the connection if it is still coming. */
export function lingerThenClose(req: IncomingMessage): void {
  if (req.complete) return;
  let discarded = 0;
  const close = () => {
    clearTimeout(timer);
    req.off('data', onData);
    if (!req.complete) req.socket?.destroy();
  };
  const onData = (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) close();
  };
  const timer = setTimeout(close, LINGER_MS);
  timer.unref();
  req.on('data', onData);
  req.once('end', () => clearTimeout(timer));
  req.resume();
}

export function parseMultipart(req: IncomingMessage, limits: MultipartLimits, rules: MultipartRules, sink: MultipartSink): Promise<MultipartResult> {
  const type = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    return Promise.reject(new UnsupportedMediaTypeError('Uploads must be multipart/form-data.'));
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limits.maxTotalBytes) {
    lingerThenClose(req);
    return Promise.reject(new PayloadTooLargeError(`The request is larger than ${mb(limits.maxTotalBytes)}.`));
  }

  return new Promise((resolve, reject) => {
    const files = new Map<string, TempFile[]>();
    const fields = new Map<string, string>();
    const writes: Promise<TempFile | null>[] = [];
    const parts = new Set<NodeJS.ReadableStream & { destroy(): void }>();
    let total = 0;
    let settled = false;
    let pendingFiles = 0;
    let finished = false;
    let bb: busboy.Busboy;

    const stopTimers = () => {
      clearTimeout(idle);
      clearTimeout(deadline);
    };
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      stopTimers();
      req.unpipe(bb);
      req.off('data', count);
      for (const p of parts) p.destroy();
      lingerThenClose(req);
      // Whatever reached the disk goes, once every write has closed (a destroyed part removes its own file).
      void Promise.all(writes).then((written) => sink.temp.remove(written.filter((f) => f !== null)), () => undefined);
      reject(err instanceof ApiError ? err : new BadRequestError('malformed_multipart', 'The multipart body could not be parsed.'));
    };
    const done = () => {
      if (!settled && finished && pendingFiles === 0) {
        settled = true;
        stopTimers();
        resolve({ files, fields });
      }
    };
    const timeout = (why: string) => () => fail(new ApiError(408, 'request_timeout', `The upload body ${why}; send it again.`));
    const stalled = timeout(`sent nothing for ${seconds(sink.idleTimeoutMs)}`);
    // Paused by our own backpressure (the disk is behind) is not the client stalling.
    let idle = setTimeout(() => (req.readableFlowing === false ? idle.refresh() : stalled()), sink.idleTimeoutMs);
    const deadline = setTimeout(timeout(`took longer than ${seconds(sink.bodyTimeoutMs)}`), sink.bodyTimeoutMs);
    const count = (chunk: Buffer) => {
      idle.refresh();
      total += chunk.length;
      if (total > limits.maxTotalBytes) fail(new PayloadTooLargeError(`The request is larger than ${mb(limits.maxTotalBytes)}.`));
    };
    idle = idle.unref();
    deadline.unref();
    const check = (name: string, allowed: readonly string[], kind: string) => {
      rules.checkName?.(name);
      if (!allowed.includes(name)) throw new BadRequestError('unknown_field', `Unexpected ${kind} field "${name.slice(0, 60)}".`);
    };

    try {
      bb = busboy({
        headers: req.headers,
        limits: {
          fileSize: limits.maxFileBytes,
          files: limits.maxFiles,
          fields: limits.maxFields,
          fieldSize: limits.maxFieldBytes,
          parts: limits.maxFiles + limits.maxFields,
        },
      });
    } catch {
      settled = true;
      stopTimers();
      reject(new BadRequestError('malformed_multipart', 'The multipart Content-Type has no valid boundary.'));
      return;
    }

    bb.on('file', (name, stream) => {
      if (settled) return void stream.resume();
      try {
        check(name, rules.fileFields, 'file');
      } catch (err) {
        stream.resume();
        return fail(err);
      }
      pendingFiles++;
      parts.add(stream);
      stream.on('limit', () => fail(new PayloadTooLargeError(`${name}: files may be at most ${mb(limits.maxFileBytes)}.`)));
      const written = sink.temp.write(stream).then(
        (file) => {
          parts.delete(stream);
          pendingFiles--;
          if (settled) return file;
          const list = files.get(name) ?? [];
          list.push(file);
          files.set(name, list);
          done();
          return file;
        },
        (err: unknown) => {
          parts.delete(stream);
          pendingFiles--;
          fail(err);
          return null;
        },
      );
      writes.push(written);
    });
    bb.on('field', (name, value, info) => {
      if (settled) return;
      try {
        check(name, rules.textFields, 'form');
        if (info.valueTruncated) throw new BadRequestError('field_too_long', `${name} is longer than ${limits.maxFieldBytes} bytes.`);
        if (fields.has(name)) throw new BadRequestError('duplicate_field', `${name} was given more than once.`);
      } catch (err) {
        return fail(err);
      }
      fields.set(name, value);
    });
    bb.on('filesLimit', () => fail(new PayloadTooLargeError(`At most ${limits.maxFiles} files per upload.`)));
    bb.on('fieldsLimit', () => fail(new BadRequestError('too_many_fields', `At most ${limits.maxFields} form fields per upload.`)));
    bb.on('partsLimit', () => fail(new BadRequestError('too_many_fields', 'Too many parts in the multipart body.')));
    bb.on('error', fail);
    bb.on('close', () => {
      finished = true;
      done();
    });
    req.on('data', count);
    req.on('aborted', () => fail(new BadRequestError('aborted', 'The upload was aborted.')));
    req.on('close', () => {
      if (!req.complete) fail(new BadRequestError('aborted', 'The upload was aborted.'));
    });
    req.pipe(bb);
  });
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

function mb(n: number): string {
  return `${Math.round(n / 1_048_576)} MB`;
}
