// Argument parsing for CLI commands: strict flags, readable errors (exit code 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';

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
