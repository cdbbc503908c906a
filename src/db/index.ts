// The database: real Postgres when DATABASE_URL is set, otherwise an embedded PGlite under DATA_DIR.
import fs from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import pg from 'pg';
import type { Config } from '../config.js';
import { errorReporter } from '../log.js';
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
  /**
   * LISTEN on a channel with a dedicated connection. `onReset` runs when notifications may have been missed
   * (connection lost and re-established), so listeners can drop what they cached.
   */
  listen(channel: string, onMessage: (payload: string) => void, onReset: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  opts: { inMemory?: boolean } = {},
): Promise<Database> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  return openPglite(opts.inMemory ? undefined : path.join(config.dataDir, 'pglite'));
}

async function openPostgres(url: string): Promise<Database> {
  const k = knex({ client: 'pg', connection: url, pool: { min: 0, max: 20 } });
  await k.raw('select 1');
  const ext = await k.raw<{ rows: unknown[] }>(`select 1 from pg_available_extensions where name = 'vector'`);
  const hasVector = ext.rows.length > 0;
  if (hasVector) await k.raw('create extension if not exists vector');
  const u = new URL(url);
  return {
    knex: k,
    kind: 'postgres',
    hasVector,
    describe: `postgres ${u.hostname}:${u.port || 5432}${u.pathname}`,
    listen: (channel, onMessage, onReset) => pgListen(url, channel, onMessage, onReset),
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
  const k = knex({
    client: ClientPgLite,
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
  } as Knex.Config);
  return {
    knex: k,
    kind: 'pglite',
    hasVector: true,
    describe: dir ? `embedded PGlite at ${dir}` : 'embedded PGlite in memory',
    async listen(channel, onMessage) {
      const unsubscribe = await pglite.listen(channel, onMessage);
      return async () => {
        if (!pglite.closed) await unsubscribe();
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

/** A LISTEN connection that reconnects with backoff; every reconnect is a reset (messages may be lost). */
async function pgListen(url: string, channel: string, onMessage: (p: string) => void, onReset: () => void): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let delay = 250;
  // The connection's errors end it, and 'end' reconnects; log them (rate-limited) so an outage is visible.
  const reportError = errorReporter('database LISTEN connection error; reconnecting', { channel });
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (n) => n.channel === channel && n.payload !== undefined && onMessage(n.payload));
    c.on('error', reportError);
    c.on('end', () => {
      if (stopped) return;
      onReset();
      setTimeout(() => void connect().catch(reportError), delay).unref();
      delay = Math.min(delay * 2, 10_000);
    });
    await c.connect();
    await c.query(`LISTEN ${channel}`);
    client = c;
    delay = 250;
  };
  await connect();
  return async () => {
    stopped = true;
    await client?.end().catch(() => undefined);
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
