// The database: real Postgres when DATABASE_URL is set, otherwise an embedded PGlite under DATA_DIR.
import fs from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import pg from 'pg';
import type { Config } from '../config.js';
import { errorReporter, log } from '../log.js';
import { outages } from './outage.js';
import { tightenTree } from '../file-modes.js';

// What stores may rely on from BOTH drivers (test/db/rows.test.ts checks it): timestamptz → Date, json/jsonb →
// parsed, int8 → number (pg needs this parser; PGlite does it itself; counts and ids we use fit in a JS number).
// JSON column shapes are checked by the stores' codecs (codec.ts).
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export type Db = Knex;
export type Trx = Knex.Transaction;
/** Anything that can run a query: the root handle or a transaction. */
export type Queryable = Knex | Knex.Transaction;

export interface Database {
  knex: Knex;
  kind: 'postgres' | 'pglite';
  /** True when the pgvector extension is available (PGlite ships it; Debian's Postgres does not). */
  hasVector: boolean;
  /** Human-readable description for the start-up log, with no credentials. */
  describe: string;
  /** LISTEN on a channel with a dedicated connection that reconnects by itself; returns its stop. */
  listen(channel: string, handlers: ListenHandlers): () => Promise<void>;
  close(): Promise<void>;
}

export interface ListenHandlers {
  message: (payload: string) => void;
  /**
   * Notifications may have been missed: the connection was lost, or it is back (and what was cached before
   * may predate changes nobody heard). Listeners drop what they cached.
   */
  reset: () => void;
  /** Every notification committed before time `at` (ms) has been delivered (PGlite, in process: Infinity). */
  heard: (at: number) => void;
}

/** Connection settings that make an unreachable server fail in seconds instead of hanging. */
const CONNECT_TIMEOUT_MS = 5_000;
const ACQUIRE_TIMEOUT_MS = 10_000;

export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  opts: { inMemory?: boolean } = {},
): Promise<Database> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  return openPglite(opts.inMemory ? undefined : path.join(config.dataDir, 'pglite'));
}

async function openPostgres(url: string): Promise<Database> {
  const k = knex({
    client: 'pg',
    connection: { connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true },
    pool: { min: 0, max: 20 },
    acquireConnectionTimeout: ACQUIRE_TIMEOUT_MS,
    // knex writes a console line per failed connection (with a stack): during an outage that is a line per
    // request. Connection failures are logged once per outage (db/outage.ts); other warnings go to our log.
    log: {
      warn: (m: string) => /^(Connection Error|Acquire connection error)/.test(m) || log.warn('knex', { detail: String(m).split('\n')[0] }),
      error: (m: string) => log.error('knex', { detail: String(m).split('\n')[0] }),
      deprecate: (m: string) => log.warn('knex deprecation', { detail: String(m) }),
      debug: () => undefined,
    },
  });
  // Any answered query ends an outage the request path noticed (db/outage.ts logs its length once).
  k.on('query-response', () => outages.up('database'));
  try {
    await k.raw('select 1');
  } catch (err) {
    await k.destroy();
    throw err;
  }
  const ext = await k.raw<{ rows: unknown[] }>(`select 1 from pg_available_extensions where name = 'vector'`);
  const hasVector = ext.rows.length > 0;
  if (hasVector) await k.raw('create extension if not exists vector');
  const u = new URL(url);
  return {
    knex: k,
    kind: 'postgres',
    hasVector,
    describe: `postgres ${u.hostname}:${u.port || 5432}${u.pathname}`,
    listen: (channel, handlers) => pgListen(url, channel, handlers),
    close: () => k.destroy(),
  };
}

/** `dir` undefined = in memory (tests). */
async function openPglite(dir: string | undefined): Promise<Database> {
  if (dir) fs.mkdirSync(path.dirname(dir), { recursive: true });
  const unlock = dir ? lockPglite(dir) : () => undefined;
  const [{ PGlite }, { vector }, { default: ClientPgLite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite-pgvector'),
    import('knex-pglite'),
  ]);
  const pglite = await PGlite.create(dir, { extensions: { vector } });
  // A new database is extracted from PGlite's template as 0666 files, whatever the umask: owner-only now.
  if (dir) tightenTree(dir);
  await pglite.exec('create extension if not exists vector');
  // knex-pglite names a delete's command "DEL", which knex's pg client does not count: a delete then answered the
  // driver's raw result instead of the number of rows it removed. Named as the pg client expects, it is a count.
  // (knex's typings do not declare processResponse, hence the reflection.)
  class Client extends ClientPgLite {}
  type Process = (this: unknown, obj: { method?: string }, runner: unknown) => unknown;
  const processResponse = Reflect.get(ClientPgLite.prototype, 'processResponse') as Process;
  Reflect.set(Client.prototype, 'processResponse', function (this: unknown, obj: { method?: string }, runner: unknown) {
    return processResponse.call(this, obj.method === 'del' ? { ...obj, method: 'delete' } : obj, runner);
  } satisfies Process);
  const k = knex({
    client: Client,
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
  } as Knex.Config);
  return {
    knex: k,
    kind: 'pglite',
    hasVector: true,
    describe: dir ? `embedded PGlite at ${dir}` : 'embedded PGlite in memory',
    listen(channel, { message, heard }) {
      // In process: once subscribed, every later commit's notification is delivered, for good.
      const unsubscribe = pglite.listen(channel, message).then((u) => (heard(Number.POSITIVE_INFINITY), u));
      return async () => {
        const u = await unsubscribe;
        if (!pglite.closed) await u();
      };
    },
    close: async () => {
      await k.destroy();
      // knex-pglite closes the instance it was handed on destroy; close only if it didn't.
      if (!pglite.closed) await pglite.close();
      unlock();
    },
  };
}

// The LISTEN connection proves it is alive this often; a heartbeat unanswered this long means it is gone.
const HEARTBEAT_MS = 250;
const HEARTBEAT_DEADLINE_MS = 3_000;

/**
 * A LISTEN connection that reconnects with backoff. Losing it and getting it back are both resets. While it is
 * up, a heartbeat (`select 1` on the same connection) proves every notification committed before the heartbeat
 * was sent has arrived: Postgres sends pending notifications before the query's ReadyForQuery. A connection
 * that stops answering (a silent partition, a NAT that dropped it) is replaced after HEARTBEAT_DEADLINE_MS.
 */
function pgListen(url: string, channel: string, h: ListenHandlers): () => Promise<void> {
  let current: pg.Client | undefined;
  let stopped = false;
  let delay = 250;
  // Errors other than an outage (a wrong channel name, …): rate-limited, so a reconnect loop cannot flood.
  const reportError = errorReporter('database LISTEN connection error; reconnecting', { channel });

  const connect = async (): Promise<void> => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
    let gone = false;
    let beat: NodeJS.Timeout | undefined = undefined;
    const drop = (err?: unknown) => {
      if (gone) return;
      gone = true;
      clearInterval(beat);
      if (current === c) current = undefined;
      h.reset();
      if (stopped) return;
      if (err !== undefined && !outages.note(err)) reportError(err);
      // end() waits for the server, which may never answer: close the socket itself.
      c.connection.stream.destroy();
      setTimeout(() => void connect(), delay).unref();
      delay = Math.min(delay * 2, 10_000);
    };
    c.on('notification', (n) => !gone && n.channel === channel && n.payload !== undefined && h.message(n.payload));
    c.on('error', drop);
    c.on('end', () => drop(Object.assign(new Error('Connection terminated (LISTEN)'), { dependency: 'database' })));
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (err) {
      drop(err);
      return;
    }
    if (gone) return;
    if (stopped) return void (await c.end().catch(() => undefined));
    current = c;
    delay = 250;
    outages.up('database');
    // What was cached while this connection was not listening may predate changes nobody heard.
    h.reset();
    h.heard(Date.now());
    let sent: number | undefined;
    beat = setInterval(() => {
      const now = Date.now();
      if (sent !== undefined) {
        if (now - sent > HEARTBEAT_DEADLINE_MS) drop(Object.assign(new Error('LISTEN connection stopped answering'), { dependency: 'database' }));
        return;
      }
      sent = now;
      c.query('select 1').then(
        () => {
          if (!gone) h.heard(now);
          sent = undefined;
        },
        drop,
      );
    }, HEARTBEAT_MS);
    beat.unref();
  };
  void connect();
  return async () => {
    stopped = true;
    const c = current;
    current = undefined;
    await c?.end().catch(() => undefined);
  };
}

export class DatabaseInUseError extends Error {}

/**
 * PGlite is a single-process database: a second process opening the same files would corrupt them.
 * A pid lock file turns that into a clear error (a lock left by a dead process is taken over).
 */
function lockPglite(dir: string): () => void {
  const file = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(file, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DatabaseInUseError(
          `The embedded database at ${dir} is in use by process ${pid}, which does not take CLI commands ` +
            '(another CLI command, or a server still starting?). Try again, or stop that process.',
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new DatabaseInUseError(`Could not lock ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
