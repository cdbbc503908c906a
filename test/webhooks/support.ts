// Shared pieces for webhook tests: a local receiver that records (and can misbehave), and tenant setup.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApiKey, createTenant } from '../../src/tenants/service.js';
import type { Queryable } from '../../src/db/index.js';
import type { Config } from '../../src/config.js';

export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export type Reply = { status: number; headers?: Record<string, string>; delayMs?: number } | 'hang' | 'drop';

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Decides each answer (default 200). */
  reply: (req: Received) => Reply;
  close(): Promise<void>;
}

export async function startReceiver(reply: (req: Received) => Reply = () => ({ status: 200 })): Promise<Receiver> {
  const received: Received[] = [];
  const r: Receiver = { url: '', port: 0, received, reply, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: Received = {
        path: req.url ?? '/',
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      const answer = r.reply(rec);
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      if (answer === 'hang') return; // the sender's timeout ends it
      received.push(rec);
      const respond = () => {
        res.writeHead(answer.status, answer.headers ?? {});
        res.end('ok');
      };
      if (answer.delayMs) setTimeout(respond, answer.delayMs);
      else respond();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${r.port}/hook`;
  r.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return r;
}

export async function tenantWithKey(db: Queryable, name = 'Acme'): Promise<{ tenantId: string; apiKey: string }> {
  const { tenant_id } = await createTenant(db, name);
  const { api_key } = await createApiKey(db, { tenantId: tenant_id });
  return { tenantId: tenant_id, apiKey: api_key };
}

/** A person known to the given tenants under distinct pairwise subjects. */
export async function personWithSubjects(db: Queryable, tenantIds: string[]): Promise<{ personId: string; subs: Record<string, string> }> {
  const personId = `per_${Math.random().toString(36).slice(2)}`;
  await db('persons').insert({ id: personId, email: `${personId}@example.com`, password_hash: 'x' });
  const subs: Record<string, string> = {};
  for (const t of tenantIds) {
    subs[t] = `psn_${Math.random().toString(36).slice(2)}`;
    await db('subjects').insert({ tenant_id: t, person_id: personId, sub: subs[t] });
  }
  return { personId, subs };
}

/** A real `src/worker.ts` process on the test deployment's database, Redis and secrets; its stderr is echoed. */
export function spawnWorker(c: Config, label: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      DATABASE_URL: c.databaseUrl!,
      REDIS_URL: c.redisUrl!,
      REDIS_PREFIX: c.redisPrefix,
      SECRET_KEY: c.secretKey!,
      DATA_DIR: c.dataDir,
      KEYS_DIR: c.keysDir,
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*',
      ...env,
    },
  });
  child.stderr!.on('data', (b: Buffer) => process.stderr.write(`[${label}] ${b}`));
  return child;
}

export const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));
