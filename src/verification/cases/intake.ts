// Admission and reception of upload bodies, per process. Before a byte is read, an upload takes one of its
// tenant's slots (UPLOAD_CONCURRENCY_PER_TENANT; over it → 429, the tenant's own pace) and reserves its declared
// size from the process-wide in-flight budget (UPLOAD_INFLIGHT_MAX_MB; over it → 503, the server is full). Both are
// held until the request is answered, because the received images are in memory while they are analysed. The body
// itself streams into sealed temporary files (multipart.ts, temp-files.ts) and is read back once complete.
import type { IncomingMessage } from 'node:http';
import { ApiError, PayloadTooLargeError } from '../../http/errors.js';
import { parseMultipart, type MultipartLimits, type MultipartRules } from './multipart.js';
import type { TempUploadDir } from './temp-files.js';
import type { UploadBody } from './upload.js';

export interface IntakeLimits {
  inflightMaxBytes: number;
  perTenant: number;
  idleTimeoutMs: number;
  bodyTimeoutMs: number;
}

export interface Admission {
  release(): void;
}

export class UploadIntake {
  private inflight = 0;
  private readonly perTenant = new Map<string, number>();

  constructor(
    private readonly temp: TempUploadDir,
    private readonly limits: IntakeLimits,
    private readonly multipart: MultipartLimits,
  ) {}

  /** Bytes reserved by uploads being received or analysed now. */
  get inflightBytes(): number {
    return this.inflight;
  }

  /** Takes a tenant slot and reserves the body's declared size (the request maximum when none is declared). */
  admit(tenantId: string, req: IncomingMessage): Admission {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > this.multipart.maxTotalBytes) {
      throw new PayloadTooLargeError(`The request is larger than ${Math.round(this.multipart.maxTotalBytes / 1_048_576)} MB.`);
    }
    const bytes = Number.isFinite(declared) && declared >= 0 ? declared : this.multipart.maxTotalBytes;
    const running = this.perTenant.get(tenantId) ?? 0;
    if (running >= this.limits.perTenant) {
      throw new ApiError(429, 'too_many_uploads', `At most ${this.limits.perTenant} uploads per tenant at a time; wait for one to finish.`, undefined, { 'Retry-After': '2' });
    }
    if (this.inflight + bytes > this.limits.inflightMaxBytes) {
      throw new ApiError(503, 'upload_capacity', 'The server is receiving too many uploads right now; retry shortly.', undefined, { 'Retry-After': '5' });
    }
    this.perTenant.set(tenantId, running + 1);
    this.inflight += bytes;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inflight -= bytes;
        const left = (this.perTenant.get(tenantId) ?? 1) - 1;
        if (left > 0) this.perTenant.set(tenantId, left);
        else this.perTenant.delete(tenantId);
      },
    };
  }

  /** Receives the multipart body into temporary files, then reads the parts back and deletes the files. */
  async receive(req: IncomingMessage, rules: MultipartRules): Promise<UploadBody> {
    const { idleTimeoutMs, bodyTimeoutMs } = this.limits;
    const parsed = await parseMultipart(req, this.multipart, rules, { temp: this.temp, idleTimeoutMs, bodyTimeoutMs });
    const all = [...parsed.files.values()].flat();
    try {
      const files = new Map<string, Buffer[]>();
      for (const [name, list] of parsed.files) files.set(name, await Promise.all(list.map((f) => this.temp.read(f))));
      return { files, fields: parsed.fields };
    } finally {
      await this.temp.remove(all);
    }
  }
}
