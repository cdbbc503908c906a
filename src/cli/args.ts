// CLI building blocks: the Command shape, strict flag parsing, readable usage errors (exit code 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Infra } from '../infra.js';

export class UsageError extends Error {}

export type Flags = NonNullable<ParseArgsConfig['options']>;

export function flags<T extends Flags>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function required(value: string | undefined, name: string): string {
  if (!value || !value.trim()) throw new UsageError(`--${name} is required`);
  return value.trim();
}

export interface CliEnv {
  keysDir: string;
}

export interface Command<A = unknown> {
  usage: string;
  /** Validates argv; throws UsageError. */
  parse(argv: string[]): A;
  /** Present when the command needs the database (and Redis); commands like `keys rotate` don't. */
  run(args: A, infra: Infra | undefined, env: CliEnv): Promise<object>;
  needsDb: boolean;
}

/** What a command that prints JSON lines (`audit export`) returns instead of one object: one line per item. */
export interface Lines {
  lines: AsyncIterable<string>;
}

export const isLines = (out: object): out is Lines => 'lines' in out && typeof (out as Lines).lines[Symbol.asyncIterator] === 'function';

/** Keeps each command's parse and run typed together. */
export const command = <A>(c: Command<A>): Command<unknown> => c;

