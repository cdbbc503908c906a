// zod at the edge: parse or throw a 400 that says which field is wrong and why.
import type { z } from 'zod';
import { ValidationError } from './errors.js';

export function parse<T extends z.ZodType>(schema: T, input: unknown, where = 'request'): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const details = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ValidationError(`Invalid ${where}: ${details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ')}`, details);
  }
  return result.data;
}
