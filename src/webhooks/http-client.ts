// One POST to a receiver: pinned to checked IPs, no redirects, hard deadline, keep-alive connections.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { bareHostname, DestinationRefused, guardedLookup, resolveChecked, type AllowList, type Resolver } from './ssrf.js';

export interface SendResult {
  statusCode: number | undefined;
  latencyMs: number;
  error: string | undefined;
  retryAfter: string | undefined;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

export class WebhookHttpClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly lookup: ReturnType<typeof guardedLookup>;

  constructor(
    private readonly resolver: Resolver,
    private readonly allow: AllowList,
    private readonly timeoutMs: number,
  ) {
    this.lookup = guardedLookup(resolver, allow);
  }

  /** Never throws: every failure becomes a result with `error` set. */
  async send(url: URL, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now();
    const host = bareHostname(url);
    // Sockets skip `lookup` for literal IPs, so those are checked here.
    if (net.isIP(host)) {
      try {
        await resolveChecked(host, this.resolver, this.allow);
      } catch (err) {
        return { statusCode: undefined, latencyMs: 0, error: `refused: ${(err as Error).message}`, retryAfter: undefined };
      }
    }
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (statusCode: number | undefined, error: string | undefined, retryAfter?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ statusCode, latencyMs: Math.round(performance.now() - started), error, retryAfter });
      };
      const req = lib.request(url, {
        method: 'POST',
        agent: url.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
        lookup: this.lookup,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'KYCPort-Webhooks/1',
        },
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish(undefined, `timeout after ${this.timeoutMs} ms`);
      }, this.timeoutMs);
      req.on('response', (res) => {
        let read = 0;
        const status = res.statusCode;
        const retryAfter = res.headers['retry-after'];
        const error = status !== undefined && status >= 200 && status < 300 ? undefined : `HTTP ${status}`;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          // The body is not used; don't let a receiver stream forever into us.
          if (read > MAX_RESPONSE_BYTES) {
            res.destroy();
            finish(status, error, retryAfter);
          }
        });
        res.on('end', () => finish(status, error, retryAfter));
        res.on('error', () => finish(status, error, retryAfter));
        res.on('close', () => finish(status, error, retryAfter));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const refused = err instanceof DestinationRefused || err.code === 'EREFUSED_DESTINATION';
        finish(undefined, refused ? `refused: ${err.message}` : `${err.code ?? 'error'}: ${err.message}`);
      });
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
