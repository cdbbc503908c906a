// Persons, their pairwise subjects, their emailed one-time links and their two-step sign-in: queries only.
import type { Queryable } from '../db/index.js';

export interface PersonRow {
  id: string;
  email: string;
  password_hash: string;
  email_verified: boolean;
  name: string | null;
  /** Sealed TOTP secret (two-step.ts); set while an enrolment waits for its first code, and while it is on. */
  totp_secret: string | null;
  totp_enabled_at: Date | null;
  /** The last time step whose code was accepted: a code is good once. */
  totp_last_step: number | null;
  created_at: Date;
}

type NewPerson = Omit<PersonRow, 'created_at' | 'totp_secret' | 'totp_enabled_at' | 'totp_last_step'>;

export interface TenantAccessRow {
  tenant_id: string;
  tenant_name: string;
  /** The tenant's pairwise subject (its person_id). */
  sub: string;
  since: Date;
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
  insert: (db: Queryable, row: NewPerson) => db('persons').insert(row),
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
  /** The tenants that know the person (consented), with since when: the /account list and the export. */
  accessOf: (db: Queryable, personId: string): Promise<TenantAccessRow[]> =>
    db('subjects as s')
      .join('tenants as t', 't.id', 's.tenant_id')
      .where('s.person_id', personId)
      .orderBy([{ column: 's.created_at' }, { column: 's.tenant_id' }])
      .select('s.tenant_id', 't.name as tenant_name', 's.sub', 's.created_at as since'),
  /** Forgets the tenant's subject (its access withdrawn); returns the sub it had, or undefined. */
  async deleteSubject(db: Queryable, tenantId: string, personId: string): Promise<string | undefined> {
    const rows = await db('subjects').where({ tenant_id: tenantId, person_id: personId }).delete().returning<{ sub: string }[]>('sub');
    return rows[0]?.sub;
  },
  delete: (db: Queryable, id: string): Promise<number> => db('persons').where({ id }).delete(),
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

export const twoStepStore = {
  /** A new enrolment's secret (replaces a pending one); never touches an account where it is on. */
  setPending: (db: Queryable, personId: string, sealedSecret: string): Promise<number> =>
    db('persons').where({ id: personId }).whereNull('totp_enabled_at').update({ totp_secret: sealedSecret, totp_last_step: null }),
  /** Turns it on with the confirming code's step; 0 rows when it already is (two confirmations at once). */
  enable: (db: Queryable, personId: string, step: number, now: Date): Promise<number> =>
    db('persons').where({ id: personId }).whereNull('totp_enabled_at').whereNotNull('totp_secret').update({ totp_enabled_at: now, totp_last_step: step }),
  /** Records `step` as used, only if it is later than the last one: 1 row when this code wins, 0 when replayed. */
  useStep: (db: Queryable, personId: string, step: number): Promise<number> =>
    db('persons')
      .where({ id: personId })
      .whereNotNull('totp_enabled_at')
      .where((q) => void q.whereNull('totp_last_step').orWhere('totp_last_step', '<', step))
      .update({ totp_last_step: step }),
  disable: (db: Queryable, personId: string) => db('persons').where({ id: personId }).update({ totp_secret: null, totp_enabled_at: null, totp_last_step: null }),

  replaceRecoveryCodes: async (db: Queryable, personId: string, hashes: string[]): Promise<void> => {
    await db('recovery_codes').where({ person_id: personId }).delete();
    if (hashes.length) await db('recovery_codes').insert(hashes.map((code_hash) => ({ person_id: personId, code_hash })));
  },
  /** Marks one unused code used: 1 row when it was live, 0 otherwise. */
  useRecoveryCode: (db: Queryable, personId: string, hash: string, now: Date): Promise<number> =>
    db('recovery_codes').where({ person_id: personId, code_hash: hash }).whereNull('used_at').update({ used_at: now }),
  async unusedRecoveryCodes(db: Queryable, personId: string): Promise<number> {
    const row = await db('recovery_codes').where({ person_id: personId }).whereNull('used_at').count<{ n: number | string }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0);
  },
};
