// Structured one-line JSON logs. Callers pass only safe fields: never secrets, tokens, passwords or images.
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

let threshold = order[(process.env.LOG_LEVEL as Level) ?? 'info'] ?? order.info;
if (process.env.NODE_ENV === 'test' && !process.env.LOG_LEVEL) threshold = order.warn;

export function setLogLevel(level: Level | 'silent'): void {
  threshold = order[level];
}

function write(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (order[level] < threshold) return;
  const line = JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields });
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
}

export const log = {
  debug: (msg: string, f?: Record<string, unknown>) => write('debug', msg, f),
  info: (msg: string, f?: Record<string, unknown>) => write('info', msg, f),
  warn: (msg: string, f?: Record<string, unknown>) => write('warn', msg, f),
  error: (msg: string, f?: Record<string, unknown>) => write('error', msg, f),
};

/**
 * For errors that repeat while a dependency is down (reconnect loops, a store that keeps refusing): logs the
 * first at once, then at most one line per interval carrying how many were not logged. Only the error's code
 * and message are written (driver messages name hosts and ports, never credentials).
 */
export function errorReporter(msg: string, fields: Record<string, unknown> = {}, intervalMs = 60_000): (err: unknown) => void {
  let last = 0;
  let suppressed = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      suppressed++;
      return;
    }
    last = now;
    const e = err as { code?: unknown; message?: unknown } | undefined;
    log.warn(msg, { ...fields, code: typeof e?.code === 'string' ? e.code : undefined, err: typeof e?.message === 'string' ? e.message : String(err), ...(suppressed ? { repeats_not_logged: suppressed } : {}) });
    suppressed = 0;
  };
}
