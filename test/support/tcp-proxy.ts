// A TCP proxy a test controls, put between KYCPort and the real Postgres or Redis: cutting it is an outage
// for this test's server only (the shared services keep running for everyone else).
import net from 'node:net';

export type ProxyMode =
  /** Bytes flow both ways. */
  | 'open'
  /** Every connection is closed at once, new ones too: the service crashed or restarts. */
  | 'refuse'
  /** Connections are accepted and held, nothing flows until 'open' (then everything held is delivered, in
   *  order, as TCP does when a partition heals): a silent network partition. */
  | 'blackhole';

export interface TcpProxy {
  port: number;
  /** Rewrites a service URL (postgres://…, redis://…) to go through this proxy. */
  via(url: string): string;
  mode: ProxyMode;
  set(mode: ProxyMode): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let mode: ProxyMode = 'open';

  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (mode === 'refuse') return void client.destroy();
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    client.on('close', () => {
      upstream.destroy();
      pairs.delete(pair);
    });
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => client.write(chunk));
    if (mode === 'blackhole') {
      client.pause();
      upstream.pause();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    get mode() {
      return mode;
    },
    set(next) {
      mode = next;
      for (const p of pairs) {
        if (next === 'refuse') {
          p.client.destroy();
          p.upstream.destroy();
        } else if (next === 'blackhole') {
          p.client.pause();
          p.upstream.pause();
        } else {
          p.client.resume();
          p.upstream.resume();
        }
      }
      if (next === 'refuse') pairs.clear();
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
