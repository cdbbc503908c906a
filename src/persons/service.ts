// Accounts: sign-up, credential checks, email verification, pairwise subjects, and the CLI's pre-verified persons.
import type { Knex } from 'knex';
import { createAssurance } from '../assurance/lifecycle.js';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/index.js';
import { ConflictError } from '../http/errors.js';
import { newId } from '../ids.js';
import { readVerificationToken, sendVerificationEmail } from './email-verification.js';
import type { Mailer } from './mailer.js';
import { hashPassword, verifyPassword } from './password.js';
import { makePairwise } from './subjects.js';
import { personStore, type PersonRow } from './store.js';

export const MIN_PASSWORD_LENGTH = 10;

/** Inserts the person and their assurance row (unverified, t0) in one transaction. */
export async function createPerson(
  db: Queryable,
  input: { email: string; password: string; emailVerified: boolean; name?: string },
): Promise<{ id: string }> {
  const email = input.email.trim();
  if (await personStore.findByEmail(db, email)) {
    throw new ConflictError('email_taken', 'An account with this email already exists.');
  }
  const id = newId('per');
  const passwordHash = await hashPassword(input.password);
  await db.transaction(async (trx) => {
    await personStore.insert(trx, { id, email, password_hash: passwordHash, email_verified: input.emailVerified, name: input.name ?? null });
    await createAssurance(trx, id);
  });
  return { id };
}

export type LoginResult =
  | { ok: true; person: PersonRow }
  | { ok: false; reason: 'unknown_email' | 'wrong_password' | 'email_unverified' };

export async function checkCredentials(db: Queryable, email: string, password: string): Promise<LoginResult> {
  const person = await personStore.findByEmail(db, email.trim());
  const valid = await verifyPassword(person?.password_hash, password);
  if (!person) return { ok: false, reason: 'unknown_email' };
  if (!valid) return { ok: false, reason: 'wrong_password' };
  if (!person.email_verified) return { ok: false, reason: 'email_unverified' };
  return { ok: true, person };
}

export interface PersonServiceDeps {
  db: Knex;
  clock: Clock;
  mailer: Mailer;
  publicUrl: string;
  /** Purpose-bound subkeys of the instance secret. */
  keys: { pairwise: Buffer; emailVerification: Buffer };
}

export type PersonService = ReturnType<typeof createPersonService>;

export function createPersonService(d: PersonServiceDeps) {
  const pairwise = makePairwise(d.keys.pairwise);
  return {
    /** The tenant's stable, opaque id for a person (also the tenant API's person_id). */
    pairwise,
    create: (input: { email: string; password: string; emailVerified: boolean; name?: string }) => createPerson(d.db, input),
    checkCredentials: (email: string, password: string) => checkCredentials(d.db, email, password),
    findById: (id: string) => personStore.findById(d.db, id),
    sendVerificationEmail: (person: { id: string; email: string }) =>
      sendVerificationEmail({ mailer: d.mailer, key: d.keys.emailVerification, clock: d.clock, publicUrl: d.publicUrl }, person),
    /** Undoes a sign-up whose verification mail could not be sent (never touches a verified account). */
    deleteUnverified: (id: string) => personStore.deleteUnverified(d.db, id),
    /** Marks the email of a verification link's person verified; false for a forged, expired or stale link. */
    async verifyEmail(token: string): Promise<boolean> {
      const personId = readVerificationToken(d.keys.emailVerification, token, d.clock.now());
      if (!personId || !(await personStore.findById(d.db, personId))) return false;
      await personStore.markEmailVerified(d.db, personId);
      return true;
    },
    /** From consent on, the tenant knows the person under its pairwise subject. */
    recordSubject: (tenantId: string, personId: string) => personStore.upsertSubject(d.db, { tenant_id: tenantId, person_id: personId, sub: pairwise(tenantId, personId) }),
    findSubject: (tenantId: string, sub: string) => personStore.findSubject(d.db, tenantId, sub),
  };
}
