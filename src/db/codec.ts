// Typed rows at the store boundary. Both drivers (pg and PGlite via knex-pglite) already return timestamp
// columns as Date and json/jsonb columns parsed (test/db/drivers.test.ts holds them to that), so stores type
// those as Date and as the parsed value. What the database cannot promise is the shape of a JSON column: each
// one gets a codec that decodes on read with its zod schema and encodes on write as JSON text (pg would send a
// JS array as a Postgres array). A stored value that does not match is a StoredDataError (a 500, logged), never
// passed on half-typed.
import { z } from 'zod';

export class StoredDataError extends Error {
  override name = 'StoredDataError';
}

export interface JsonColumn<T> {
  /** `column` is the value a driver returned; throws StoredDataError when it does not match the schema. */
  decode(value: unknown): T;
  /** JSON text for an insert or update; null stays SQL NULL. */
  encode(value: T): string | null;
}

/** `name` (table.column) is only for the error message, which names the failing paths, never the values. */
export function jsonColumn<T>(name: string, schema: z.ZodType<T>): JsonColumn<T> {
  return {
    decode(value) {
      const parsed = schema.safeParse(value);
      if (!parsed.success) throw new StoredDataError(`${name}: stored value does not match its schema: ${z.prettifyError(parsed.error)}`);
      return parsed.data;
    },
    encode: (value) => (value === null || value === undefined ? null : JSON.stringify(value)),
  };
}

/** A codec without a zod pass, for hot paths whose payload another library owns: only "is a JSON object". */
export function jsonObjectColumn<T extends object>(name: string): JsonColumn<T> {
  return {
    decode(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new StoredDataError(`${name}: stored value is not a JSON object`);
      return value as T;
    },
    encode: (value) => (value === null || value === undefined ? null : JSON.stringify(value)),
  };
}
