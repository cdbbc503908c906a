// Upload bodies in flight go to disk, not memory: each file part is streamed through AES-256-GCM (the document
// encryption key; the IV and tag are kept in memory only) into DATA_DIR/upload-tmp/. Once the body is complete the
// parts are read back and the files deleted; on any failure or abort they are deleted as soon as the writes close.
// What a crash leaves behind is swept at the next start.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openDetached, sealStream } from '../../crypto/seal.js';

export interface TempFile {
  path: string;
  bytes: number;
  iv: Buffer;
  tag: Buffer;
}

export class TempUploadDir {
  constructor(
    readonly dir: string,
    private readonly key: Buffer,
  ) {}

  /**
   * The directory under DATA_DIR, swept of files older than `staleAfterMs`: leftovers of a crashed process cannot
   * be opened (their tags died with it). Only old files go, because other processes on the same DATA_DIR
   * (WEB_CONCURRENCY, a restarted sibling) may be receiving uploads into it right now.
   */
  static open(dataDir: string, key: Buffer, staleAfterMs: number): TempUploadDir {
    const dir = path.join(dataDir, 'upload-tmp');
    const cutoff = Date.now() - staleAfterMs;
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      // No directory yet: nothing to sweep.
    }
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        if (fs.statSync(file).mtimeMs < cutoff) fs.rmSync(file, { force: true });
      } catch {
        // Removed by another process meanwhile.
      }
    }
    return new TempUploadDir(dir, key);
  }

  /** Streams `source` into a new sealed temporary file; resolves when it is on disk. */
  async write(source: Readable): Promise<TempFile> {
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const name = `${crypto.randomBytes(16).toString('hex')}.part`;
    const file = path.join(this.dir, name);
    const { iv, cipher } = sealStream(this.key, aadFor(name));
    let bytes = 0;
    source.on('data', (c: Buffer) => (bytes += c.length));
    try {
      await pipeline(source, cipher, fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    } catch (err) {
      await fs.promises.rm(file, { force: true });
      throw err;
    }
    return { path: file, bytes, iv, tag: cipher.getAuthTag() };
  }

  async read(f: TempFile): Promise<Buffer> {
    return openDetached(this.key, f.iv, f.tag, await fs.promises.readFile(f.path), aadFor(path.basename(f.path)));
  }

  async remove(files: readonly TempFile[]): Promise<void> {
    await Promise.all(files.map((f) => fs.promises.rm(f.path, { force: true })));
  }

  /** Files currently on disk (tests check nothing is left behind). */
  async list(): Promise<string[]> {
    try {
      return await fs.promises.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}

const aadFor = (name: string) => `upload-tmp:${name}`;
