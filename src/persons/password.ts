// argon2id password hashing. A dummy hash lets unknown emails cost the same time as wrong passwords.
// Every hash and verify passes one per-process gate: each takes a core and 64 MiB for tens of ms, so a flood of
// sign-ins left unbounded queues in libuv and every real sign-in waits behind it (28.6 s under 300 at once).
// The gate runs as many as there are cores, lets a few rounds wait, and answers the rest 503 + Retry-After at once.
// Sign-ins from an address that signed in to the account before (withPasswordPriority) wait ahead of the rest and,
// when the queue is full, take the place of the newest ordinary waiter: a flood cannot keep known people out.
import { AsyncLocalStorage } from 'node:async_hooks';
import argon2 from 'argon2';
import { ApiError } from '../http/errors.js';

export class PasswordHashingBusyError extends ApiError {
  constructor() {
    super(503, 'busy', 'Signing in is very busy right now. Please try again in a few seconds.', undefined, { 'Retry-After': '2' });
  }
}

interface Waiter {
  priority: boolean;
  resolve(): void;
  reject(err: Error): void;
}

class Gate {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  constructor(
    private concurrency: number,
    private queue: number,
  ) {}

  configure(concurrency: number, queue: number): void {
    this.concurrency = concurrency;
    this.queue = queue;
  }

  async run<T>(task: () => Promise<T>, priority: boolean): Promise<T> {
    if (this.running < this.concurrency) this.running++;
    else await this.wait(priority);
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so `running` never over-counts.
      const next = this.waiting.shift();
      if (next) next.resolve();
      else this.running--;
    }
  }

  private wait(priority: boolean): Promise<void> {
    if (this.waiting.length >= this.queue) {
      const bumped = priority ? this.waiting.findLastIndex((w) => !w.priority) : -1;
      if (bumped < 0) throw new PasswordHashingBusyError();
      this.waiting.splice(bumped, 1)[0]!.reject(new PasswordHashingBusyError());
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = { priority, resolve, reject };
      const firstOrdinary = priority ? this.waiting.findIndex((w) => !w.priority) : -1;
      if (firstOrdinary < 0) this.waiting.push(waiter);
      else this.waiting.splice(firstOrdinary, 0, waiter);
    });
  }
}

// Process-wide like the cores it guards; compose.ts sets the configured sizes (PASSWORD_HASH_CONCURRENCY/_QUEUE).
const gate = new Gate(2, 16);

export function configurePasswordHashing(opts: { concurrency: number; queue: number }): void {
  gate.configure(opts.concurrency, opts.queue);
}

const priority = new AsyncLocalStorage<boolean>();

/** Runs `fn` with its password hashes and verifies ahead of ordinary ones (a sign-in from a known address). */
export const withPasswordPriority = <T>(fn: () => Promise<T>): Promise<T> => priority.run(true, fn);

const guarded = <T>(task: () => Promise<T>): Promise<T> => gate.run(task, priority.getStore() === true);

export const hashPassword = (password: string): Promise<string> => guarded(() => argon2.hash(password, { type: argon2.argon2id }));

let dummy: Promise<string> | undefined;

export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  if (!hash) {
    dummy ??= argon2.hash('kycport-dummy-password', { type: argon2.argon2id });
    const d = await dummy;
    await guarded(() => argon2.verify(d, password).catch(() => false));
    return false;
  }
  return guarded(() => argon2.verify(hash, password).catch(() => false));
}
