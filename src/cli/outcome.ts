// What a CLI command ends with, whether it ran here or in the server that holds the embedded database:
// exit code 0 with one JSON line, 2 for a bad argument (usage, or a 4xx from the domain), 1 for anything else.
import { ConfigError } from '../config.js';
import { DatabaseInUseError } from '../db/index.js';
import { ApiError } from '../http/errors.js';
import { UsageError } from './args.js';

export interface Outcome {
  code: 0 | 1 | 2;
  stdout?: string;
  stderr?: string;
}

export function failure(err: unknown, usage?: string): Outcome {
  if (err instanceof UsageError) return { code: 2, stderr: `${err.message}\n${usage ? `Usage: kycport ${usage}\n` : ''}` };
  // Unknown tenant, taken email, bad redirect URI: bad arguments too.
  if (err instanceof ApiError && err.status < 500) return { code: 2, stderr: `${err.message}\n` };
  if (err instanceof ConfigError || err instanceof DatabaseInUseError) return { code: 2, stderr: `${err.message}\n` };
  return { code: 1, stderr: `Failed: ${err instanceof Error ? err.message : String(err)}\n` };
}
