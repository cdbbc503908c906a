// Persons, their pairwise subjects and their emailed one-time links: queries only.
import type { Queryable } from '../db/index.js';

export interface PersonRow {
  id: string;
  email: string;
  password_hash: string;
  email_verified: boolean;
  name: string | null;
  created_at: Date;
}

export type TokenPurpose = 'signup' | 'reset';

export interface EmailTokenRow {
  token_hash: string;
  purpose: TokenPurpose;
  email: string;
  person_id: string | null;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

export const personStore = {
  insert: (db: Queryable, row: Omit<PersonRow, 'created_at'>) => db('persons').insert(row),
  findById: (db: Queryable, id: string): Promise<PersonRow | undefined> => db('persons').where({ id }).first(),
  findByEmail: (db: Queryable, email: string): Promise<PersonRow | undefined> =>
    db('persons').whereRaw('lower(email) = lower(?)', [email]).first(),
  setPassword: (db: Queryable, id: string, passwordHash: string) => db('persons').where({ id }).update({ password_hash: passwordHash }),
  /** Removes an unverified account for `email` (whoever set its password never proved the address). */
  deleteUnverifiedByEmail: (db: Queryable, email: string) =>
    db('persons').whereRaw('lower(email) = lower(?)', [email]).where({ email_verified: false }).delete(),
  /** Unverified accounts older than `before` (only rows from before sign-up waited for the address's proof). */
  deleteUnverifiedBefore: (db: Queryable, before: Date): Promise<number> =>
    db('persons').where({ email_verified: false }).where('created_at', '<', before).delete(),

  /** Records the tenant's pairwise subject; idempotent. */
  upsertSubject: (db: Queryable, row: { tenant_id: string; person_id: string; sub: string }) =>
    db('subjects').insert(row).onConflict(['tenant_id', 'person_id']).ignore(),
  findSubject: (db: Queryable, tenantId: string, sub: string): Promise<{ person_id: string; sub: string } | undefined> =>
    db('subjects').where({ tenant_id: tenantId, sub }).first('person_id', 'sub'),
};

export const emailTokenStore = {
  insert: (db: Queryable, row: Omit<EmailTokenRow, 'created_at' | 'used_at'>) => db('email_tokens').insert(row),
  findLive: (db: Queryable, tokenHash: string, purpose: TokenPurpose, now: Date): Promise<EmailTokenRow | undefined> =>
    db('email_tokens').where({ token_hash: tokenHash, purpose }).whereNull('used_at').where('expires_at', '>', now).first(),
  async consume(db: Queryable, tokenHash: string, purpose: TokenPurpose, now: Date): Promise<EmailTokenRow | undefined> {
    const rows = await db('email_tokens')
      .where({ token_hash: tokenHash, purpose })
      .whereNull('used_at')
      .where('expires_at', '>', now)
      .update({ used_at: now })
      .returning<EmailTokenRow[]>('*');
    return rows[0];
  },
  /** Kills every live sign-up link of an address (a newer sign-up, or the account now exists). */
  revokeSignups: (db: Queryable, email: string, now: Date) =>
    db('email_tokens').whereRaw('lower(email) = lower(?)', [email]).where({ purpose: 'signup' }).whereNull('used_at').update({ used_at: now }),
  /** Kills every live reset link of a person (after a reset or a password change). */
  revokeResets: (db: Queryable, personId: string, now: Date) =>
    db('email_tokens').where({ person_id: personId, purpose: 'reset' }).whereNull('used_at').update({ used_at: now }),
  deleteExpired: (db: Queryable, now: Date): Promise<number> => db('email_tokens').where('expires_at', '<', now).delete(),
};
