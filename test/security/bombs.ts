// Hostile payloads built in code (nothing binary is checked in): PNG decompression bombs, a multipart body that
// stalls, and deeply nested JSON. Shared by the security tests and the before/after measurement script.
import http from 'node:http';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([len, body, crc]);
}

function ihdr(width: number, height: number, colourType: number): Buffer {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(width, 0);
  d.writeUInt32BE(height, 4);
  d[8] = 8; // bit depth
  d[9] = colourType; // 2 = RGB
  return chunk('IHDR', d);
}

/** zlib of `total` zero bytes, deflated in pieces so the plain bytes are never all in memory. */
async function deflateZeros(total: number, rowBytes?: number): Promise<Buffer> {
  const deflate = zlib.createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const piece = Buffer.alloc(rowBytes && rowBytes < 1 << 22 ? rowBytes : 1 << 20);
  for (let left = total; left > 0; left -= piece.length) {
    if (!deflate.write(left >= piece.length ? piece : piece.subarray(0, left))) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  return Buffer.concat(out);
}

/** A valid RGB PNG of `width`×`height` black pixels (filter byte 0 per row, all zeros): tiny file, huge decode. */
export async function pixelBombPng(width = 13_333_333, height = 3): Promise<Buffer> {
  const idat = await deflateZeros(height * (1 + width * 3));
  return Buffer.concat([PNG_SIGNATURE, ihdr(width, height, 2), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** A small ordinary PNG carrying an iCCP chunk that inflates to `profileBytes` (a colour-profile bomb). */
export async function iccpBombPng(profileBytes = 300 * 1_048_576, side = 64): Promise<Buffer> {
  const iccp = Buffer.concat([Buffer.from('ICC\0', 'latin1'), Buffer.from([0]), await deflateZeros(profileBytes)]);
  const idat = await deflateZeros(side * (1 + side * 3));
  return Buffer.concat([PNG_SIGNATURE, ihdr(side, side, 2), chunk('iCCP', iccp), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** `depth` nested JSON arrays: "[[[…]]]". */
export const deepJson = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

export interface StalledUpload {
  /** Bytes written into the socket so far. */
  sent(): number;
  /** Resolves with the status once the server answers (never, if it just keeps reading). */
  answered: Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>;
  abort(): void;
}

/**
 * A multipart upload that sends `sendBytes` of image-looking `frames` parts (each < 10 MB) and then stalls without
 * ending, declaring a Content-Length of `declaredBytes` (default: 1 MB more than it sends).
 */
export function stalledUpload(url: string, headers: Record<string, string>, sendBytes: number, declaredBytes = sendBytes + 1_048_576): StalledUpload {
  const partBytes = 9 * 1_048_576;
  const boundary = 'STALLBOUNDARY';
  const head = (i: number) =>
    Buffer.from(`${i ? '\r\n' : ''}--${boundary}\r\nContent-Disposition: form-data; name="frames"; filename="f${i}.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0`, 'latin1');
  const piece = Buffer.alloc(64 * 1024, 0x41);
  let sent = 0;
  let part = 0;
  let inPart = Infinity;
  const body = new Readable({
    read() {
      if (sent >= sendBytes) return; // stall: never push more, never end
      if (inPart >= partBytes) {
        const h = head(part++);
        inPart = h.length;
        sent += h.length;
        this.push(h);
        return;
      }
      const n = Math.min(piece.length, partBytes - inPart, sendBytes - sent);
      inPart += n;
      sent += n;
      this.push(piece.subarray(0, n));
    },
  });
  const req = http.request(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(declaredBytes) },
  });
  const answered = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
  });
  answered.catch(() => undefined);
  body.pipe(req);
  return {
    sent: () => sent,
    answered,
    abort() {
      body.destroy();
      req.destroy();
    },
  };
}
