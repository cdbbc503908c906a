// Accounts: sign-up, credential checks, and the CLI's pre-verified persons.
import type { Queryable } from '../db/index.js';
import { ConflictError } from '../http/errors.js';
import { newId } from '../ids.js';
import { hashPassword, verifyPassword } from './password.js';
import { personStore, type PersonRow } from './store.js';

export const MIN_PASSWORD_LENGTH = 10;

export async function createPerson(
  db: Queryable,
  input: { email: string; password: string; emailVerified: boolean; name?: string },
): Promise<{ id: string }> {
  const email = input.email.trim();
  if (await personStore.findByEmail(db, email)) {
    throw new ConflictError('email_taken', 'An account with this email already exists.');
  }
  const id = newId('per');
  await personStore.insert(db, {
    id,
    email,
    password_hash: await hashPassword(input.password),
    email_verified: input.emailVerified,
    name: input.name ?? null,
  });
  // A new person starts unverified at t0.
  await db('assurance').insert({ person_id: id });
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
