// argon2id password hashing. A dummy hash lets unknown emails cost the same time as wrong passwords.
// Every hash and verify passes one per-process gate: each takes a core and 64 MiB for tens of ms, so a flood of
// sign-ins left unbounded queues in libuv and every real sign-in waits behind it (28.6 s under 300 at once).
// The gate runs as many as there are cores, lets a few rounds wait, and answers the rest 503 + Retry-After at once.
import argon2 from 'argon2';
import { ApiError } from '../http/errors.js';

export class PasswordHashingBusyError extends ApiError {
  constructor() {
    super(503, 'busy', 'Signing in is very busy right now. Please try again in a few seconds.', undefined, { 'Retry-After': '2' });
  }
}

class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(
    private concurrency: number,
    private queue: number,
  ) {}

  configure(concurrency: number, queue: number): void {
    this.concurrency = concurrency;
    this.queue = queue;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) this.running++;
    else if (this.waiting.length < this.queue) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else throw new PasswordHashingBusyError();
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so `running` never over-counts.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

// Process-wide like the cores it guards; compose.ts sets the configured sizes (PASSWORD_HASH_CONCURRENCY/_QUEUE).
const gate = new Gate(2, 16);

export function configurePasswordHashing(opts: { concurrency: number; queue: number }): void {
  gate.configure(opts.concurrency, opts.queue);
}

export const hashPassword = (password: string): Promise<string> => gate.run(() => argon2.hash(password, { type: argon2.argon2id }));

let dummy: Promise<string> | undefined;

export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  if (!hash) {
    dummy ??= argon2.hash('kycport-dummy-password', { type: argon2.argon2id });
    const d = await dummy;
    await gate.run(() => argon2.verify(d, password).catch(() => false));
    return false;
  }
  return gate.run(() => argon2.verify(hash, password).catch(() => false));
}
