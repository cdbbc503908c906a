// A TCP proxy a test controls, put between KYCPort and the real Postgres or Redis: cutting it is an outage
// for this test's server only (the shared services keep running for everyone else).
import net from 'node:net';

export type ProxyMode =
  /** Bytes flow both ways. */
  | 'open'
  /** Every connection is closed at once, new ones too: the service crashed or restarts. */
  | 'refuse'
  /** Connections are accepted and held, nothing flows: a silent network partition. */
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
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket | undefined }>();
  let mode: ProxyMode = 'open';

  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (mode === 'refuse') return void client.destroy();
    const pair: { client: net.Socket; upstream: net.Socket | undefined } = { client, upstream: undefined };
    pairs.add(pair);
    client.on('close', () => {
      pair.upstream?.destroy();
      pairs.delete(pair);
    });
    if (mode === 'blackhole') return void client.pause();
    const upstream = net.connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    // Data is forwarded only while open; a blackhole keeps both sockets but drops what arrives.
    client.on('data', (chunk) => mode === 'open' && upstream.write(chunk));
    upstream.on('data', (chunk) => mode === 'open' && client.write(chunk));
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
      if (next === 'refuse') {
        for (const p of pairs) {
          p.client.destroy();
          p.upstream?.destroy();
        }
        pairs.clear();
      }
    },
    async close() {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
