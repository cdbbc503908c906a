// Dependency outages: which errors mean "the database (or Redis) cannot be reached", and one log line when an
// outage starts and one when it ends, however many requests fail in between (they answer 503 + Retry-After).
import { log } from '../log.js';

export type Dependency = 'database' | 'redis';

/** What a refused request tells its caller to wait before retrying, in seconds. */
export const RETRY_AFTER_SECONDS = 5;

// Socket-level failures of a connection attempt or of an open connection.
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
// SQLSTATEs of a server that is going away or not taking connections (class 08: connection exception).
const PG_DOWN = new Set(['57P01', '57P02', '57P03', '53300']);
// node-pg's and ioredis's own messages for a connection that is gone or not there yet.
const PG_MESSAGES = /^(Connection terminated|Client was closed and is not queryable|Client has encountered a connection error)/;
const REDIS_MESSAGES = /^(Connection is closed\.|Stream isn't writeable|Command timed out)/;

/** The dependency an error says is unreachable, or undefined for any other error. Follows `cause`. */
export function outageOf(err: unknown): Dependency | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const { code, name, message } = e as Error & { code?: unknown };
    if (name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.test(message)) return 'redis';
    if (name === 'KnexTimeoutError' || PG_MESSAGES.test(message)) return 'database';
    if (typeof code === 'string' && (NET_CODES.has(code) || PG_DOWN.has(code) || code.startsWith('08'))) return 'database';
    const marked = (e as { dependency?: unknown }).dependency;
    if (marked === 'database' || marked === 'redis') return marked;
  }
  return undefined;
}

interface State {
  since: number | undefined;
  refused: number;
}

const states: Record<Dependency, State> = { database: { since: undefined, refused: 0 }, redis: { since: undefined, refused: 0 } };

function describeErr(err: unknown): { code?: string; err: string } {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  // Driver messages name hosts and ports, never credentials.
  return { code: typeof e?.code === 'string' ? e.code : undefined, err: typeof e?.message === 'string' ? e.message : String(err) };
}

export const outages = {
  /** Marks `dep` unreachable; logs only when this starts an outage. */
  down(dep: Dependency, err: unknown): void {
    const s = states[dep];
    if (s.since !== undefined) return;
    s.since = Date.now();
    s.refused = 0;
    log.warn(`${dep} unreachable: answering 503 with Retry-After until it is back`, { dependency: dep, ...describeErr(err) });
  },
  /** A request refused because of the outage (counted for the recovery line). */
  refused(dep: Dependency, err: unknown): void {
    this.down(dep, err);
    states[dep].refused++;
  },
  /** Marks `dep` reachable again; logs the outage's length when one was open. Cheap when none was. */
  up(dep: Dependency): void {
    const s = states[dep];
    if (s.since === undefined) return;
    log.info(`${dep} reachable again`, { dependency: dep, outage_ms: Date.now() - s.since, requests_refused: s.refused });
    s.since = undefined;
  },
  isDown(dep: Dependency): boolean {
    return states[dep].since !== undefined;
  },
  /** For failures outside a request (jobs, probes): records an outage and says so, or returns false. */
  note(err: unknown): boolean {
    const dep = outageOf(err);
    if (!dep) return false;
    this.down(dep, err);
    return true;
  },
};
