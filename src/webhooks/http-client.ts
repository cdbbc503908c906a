// One POST to a receiver: pinned to checked IPs, no redirects, hard deadline, keep-alive connections.
// The outcome has two parts: a generic code the tenant sees in its delivery log (destination_refused,
// connection_failed, tls_failed, timeout, http_<status>), and the detail (resolved addresses, socket errors) for
// the operator's log only, so a tenant cannot map internal names through its endpoint URL.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { bareHostname, DestinationRefused, guardedLookup, portOfUrl, resolveChecked, type AllowList, type Resolver } from './ssrf.js';

export interface SendResult {
  statusCode: number | undefined;
  latencyMs: number;
  /** The tenant-visible failure code; undefined on a 2xx. */
  error: string | undefined;
  /** What happened, for the operator's log only (names addresses). */
  detail?: string;
  retryAfter: string | undefined;
}

/** Socket errors → the tenant's code. Certificate and handshake problems are the receiver's to fix, so they get their own. */
function failureCode(err: NodeJS.ErrnoException): string {
  if (err instanceof DestinationRefused || err.code === 'EREFUSED_DESTINATION') return 'destination_refused';
  const code = err.code ?? '';
  if (/^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_OSSL)/.test(code) || /certificate|ssl|tls/i.test(err.message)) return 'tls_failed';
  return 'connection_failed';
}

const MAX_RESPONSE_BYTES = 64 * 1024;

export class WebhookHttpClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly lookups = new Map<number, ReturnType<typeof guardedLookup>>();

  constructor(
    private readonly resolver: Resolver,
    private readonly allow: AllowList,
    private readonly timeoutMs: number,
  ) {}

  /** The allow-list is per port, so the lookup is too (one per port in use). */
  private lookupFor(port: number): ReturnType<typeof guardedLookup> {
    let lookup = this.lookups.get(port);
    if (!lookup) this.lookups.set(port, (lookup = guardedLookup(this.resolver, this.allow, port)));
    return lookup;
  }

  /** Never throws: every failure becomes a result with `error` set. */
  async send(url: URL, headers: Record<string, string>, body: string): Promise<SendResult> {
    const started = performance.now();
    const host = bareHostname(url);
    const port = portOfUrl(url);
    // Sockets skip `lookup` for literal IPs, so those are checked here.
    if (net.isIP(host)) {
      try {
        await resolveChecked(host, port, this.resolver, this.allow);
      } catch (err) {
        return { statusCode: undefined, latencyMs: 0, error: 'destination_refused', detail: (err as Error).message, retryAfter: undefined };
      }
    }
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (statusCode: number | undefined, error: string | undefined, retryAfter?: string, detail?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ statusCode, latencyMs: Math.round(performance.now() - started), error, retryAfter, ...(detail ? { detail } : {}) });
      };
      const req = lib.request(url, {
        method: 'POST',
        agent: url.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
        lookup: this.lookupFor(port),
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'KYCPort-Webhooks/1',
        },
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish(undefined, 'timeout', undefined, `no response within ${this.timeoutMs} ms`);
      }, this.timeoutMs);
      req.on('response', (res) => {
        let read = 0;
        const status = res.statusCode;
        const retryAfter = res.headers['retry-after'];
        const error = status !== undefined && status >= 200 && status < 300 ? undefined : `http_${status}`;
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
        finish(undefined, failureCode(err), undefined, err.code && !err.message.includes(err.code) ? `${err.code}: ${err.message}` : err.message);
      });
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
