// Keyset pagination shared by the tenant API's lists: the cursor is (created_at, id) of a page's last row, opaque
// to the caller, and the same limit/cursor query fields everywhere.
import { z } from 'zod';
import { ValidationError } from './errors.js';

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(300).optional(),
};

export interface PageCursor {
  createdAt: Date;
  id: string;
}

/** The cursor of rows whose ids match `idShape` (a bad or foreign cursor is a 400). */
export function cursorCodec(idShape: RegExp) {
  return {
    encode: (row: { created_at: Date; id: string }): string => Buffer.from(JSON.stringify([row.created_at.toISOString(), row.id])).toString('base64url'),
    decode(cursor: string): PageCursor {
      try {
        const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
        const createdAt = new Date(at);
        if (typeof id !== 'string' || !idShape.test(id) || Number.isNaN(createdAt.getTime())) throw new Error('bad');
        return { createdAt, id };
      } catch {
        throw new ValidationError('Invalid cursor: pass back the next_cursor of a previous page.');
      }
    },
  };
}
