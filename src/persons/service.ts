// Accounts: sign-up by emailed link, credential checks, password reset and change, pairwise subjects, and the
// CLI's pre-verified persons.
//
// Sign-up creates no account: it emails a one-time link to the address, and the account is created with the
// password chosen on the page that link opens. So whoever controls the mailbox sets the password, an earlier
// sign-up by someone else can neither block the owner nor make the owner confirm a stranger's password
// (account pre-hijacking), and a sign-up for an address an account already uses looks the same from outside
// (a mail goes to the owner instead).
import type { Knex } from 'knex';
import type { AuditRecorder } from '../audit/service.js';
import { createAssurance } from '../assurance/lifecycle.js';
import type { Clock } from '../clock.js';
import { secretBox } from '../crypto/seal.js';
import type { Queryable } from '../db/index.js';
import { ApiError, ConflictError } from '../http/errors.js';
import { newId } from '../ids.js';
import { log } from '../log.js';
import { emailTokens, RESET_TTL_MS, SIGNUP_TTL_MS } from './email-tokens.js';
import type { Mail, Mailer } from './mailer.js';
import { mails } from './mails.js';
import { hashPassword, verifyPassword } from './password.js';
import { makePairwise } from './subjects.js';
import { createTwoStep } from './two-step.js';
import { emailTokenStore, personStore, type PersonRow } from './store.js';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1024;

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

/** Ends a person's sessions and grants (with their refresh and access tokens) in the OIDC store. */
export interface SessionRevoker {
  /** `keep`: the session the person is using now, and the grants it holds, stay. */
  revoke(personId: string, keep?: { sessionId: string }): Promise<{ sessions: number; grants: number }>;
}

export interface PersonServiceDeps {
  db: Knex;
  clock: Clock;
  mailer: Mailer;
  publicUrl: string;
  /** Purpose-bound subkeys of the instance secret. */
  keys: { pairwise: Buffer; emailTokens: Buffer; totpSecrets: Buffer; recoveryCodes: Buffer };
  sessions: SessionRevoker;
  /** The operator's audit chain (two-step sign-in changes). */
  audit: Pick<AuditRecorder, 'record'>;
}

export type PersonService = ReturnType<typeof createPersonService>;

/** The mail server refused or did not answer: the form can be sent again later. */
export const MAIL_UNAVAILABLE = 'mail_unavailable';

export type FinishSignup = { ok: true; id: string; email: string } | { ok: false; reason: 'invalid_link' | 'account_exists' };
export type ChangePassword = { ok: true } | { ok: false; reason: 'wrong_password' | 'unknown_account' };

export function createPersonService(d: PersonServiceDeps) {
  const pairwise = makePairwise(d.keys.pairwise);
  const tokens = emailTokens(d.keys.emailTokens);
  const link = (path: string, token: string) => `${d.publicUrl}${path}?token=${encodeURIComponent(token)}`;
  const send = (mail: Mail) =>
    d.mailer.send(mail).catch(() => {
      throw new ApiError(503, MAIL_UNAVAILABLE, 'We could not send the email just now. Please try again in a few minutes.', undefined, { 'Retry-After': '60' });
    });

  async function resetMail(person: PersonRow, kind: 'reset' | 'signupForExisting') {
    const token = await tokens.issue(d.db, { purpose: 'reset', email: person.email, personId: person.id, now: d.clock.now() });
    return mails[kind](person.email, link('/password/reset', token), RESET_TTL_MS);
  }

  return {
    /** The tenant's stable, opaque id for a person (also the tenant API's person_id). */
    pairwise,
    checkCredentials: (email: string, password: string) => checkCredentials(d.db, email, password),
    findById: (id: string) => personStore.findById(d.db, id),
    /** Optional TOTP two-step sign-in and its recovery codes. */
    twoStep: createTwoStep({ db: d.db, clock: d.clock, mailer: d.mailer, box: secretBox(d.keys.totpSecrets), recoveryKey: d.keys.recoveryCodes, sessions: d.sessions, audit: d.audit }),

    /**
     * A sign-up form was sent for `email`. Either way a mail goes to that address and nothing else changes that
     * the sender could observe: a new link (earlier pending links of the address stop working), or, when an
     * account uses the address, a note to its owner with a reset link. Throws when the mail cannot be sent.
     */
    async startSignup(email: string): Promise<void> {
      const now = d.clock.now();
      const person = await personStore.findByEmail(d.db, email);
      if (person?.email_verified) return send(await resetMail(person, 'signupForExisting'));
      const token = await d.db.transaction(async (trx) => {
        await emailTokenStore.revokeSignups(trx, email, now);
        return tokens.issue(trx, { purpose: 'signup', email, now });
      });
      await send(mails.finishSignup(email, link('/verify-email', token), SIGNUP_TTL_MS));
    },
    /** The address a live sign-up link is for (the link is not used up). */
    async signupLink(token: string): Promise<{ email: string } | undefined> {
      const row = await tokens.peek(d.db, 'signup', token, d.clock.now());
      return row && { email: row.email };
    },
    /** Uses a sign-up link: creates the verified account with the password chosen by whoever opened it. */
    async finishSignup(token: string, password: string): Promise<FinishSignup> {
      // A dead link costs no argon2 hash; the link is checked again, and used, in the transaction.
      if (!(await tokens.peek(d.db, 'signup', token, d.clock.now()))) return { ok: false, reason: 'invalid_link' };
      const passwordHash = await hashPassword(password);
      const now = d.clock.now();
      const created = d.db.transaction(async (trx): Promise<FinishSignup> => {
        const row = await tokens.consume(trx, 'signup', token, now);
        if (!row) return { ok: false, reason: 'invalid_link' };
        const existing = await personStore.findByEmail(trx, row.email);
        if (existing?.email_verified) return { ok: false, reason: 'account_exists' };
        // An unverified account (made before sign-up waited for the link) never proved the address: it goes.
        if (existing) await personStore.deleteUnverifiedByEmail(trx, row.email);
        const id = newId('per');
        // Two links of one address used at the same instant: the unique email index lets one win; the other
        // transaction fails and is answered as "account exists" below.
        await personStore.insert(trx, { id, email: row.email, password_hash: passwordHash, email_verified: true, name: null });
        await createAssurance(trx, id);
        await emailTokenStore.revokeSignups(trx, row.email, now);
        return { ok: true, id, email: row.email };
      });
      return created.catch((err: unknown) => {
        if ((err as { code?: string }).code === '23505') return { ok: false, reason: 'account_exists' } as const;
        throw err;
      });
    },

    /** Mails a reset link to the account using `email`, or a note that none does; the caller can't tell which. */
    async requestPasswordReset(email: string): Promise<void> {
      const person = await personStore.findByEmail(d.db, email);
      if (person?.email_verified) return send(await resetMail(person, 'reset'));
      await send(mails.resetWithoutAccount(email));
    },
    async resetLink(token: string): Promise<{ email: string } | undefined> {
      const row = await tokens.peek(d.db, 'reset', token, d.clock.now());
      return row && { email: row.email };
    },
    /**
     * Uses a reset link: sets the password, kills the person's other reset links, signs them out everywhere.
     * Two-step sign-in stays on (`twoStep`): a mailbox alone must not get past the second factor.
     */
    async resetPassword(token: string, password: string): Promise<{ id: string; email: string; twoStep: boolean } | undefined> {
      if (!(await tokens.peek(d.db, 'reset', token, d.clock.now()))) return undefined;
      const passwordHash = await hashPassword(password);
      const now = d.clock.now();
      const person = await d.db.transaction(async (trx) => {
        const row = await tokens.consume(trx, 'reset', token, now);
        const p = row?.person_id ? await personStore.findById(trx, row.person_id) : undefined;
        if (!p) return undefined;
        await personStore.setPassword(trx, p.id, passwordHash);
        await emailTokenStore.revokeResets(trx, p.id, now);
        return p;
      });
      if (!person) return undefined;
      const revoked = await d.sessions.revoke(person.id);
      log.info('password reset', { person_id: person.id, ...revoked });
      return { id: person.id, email: person.email, twoStep: person.totp_enabled_at !== null };
    },
    /** A signed-in person changes their password: the current one is required; their other sessions end. */
    async changePassword(personId: string, current: string, next: string, keep: { sessionId: string }): Promise<ChangePassword> {
      const person = await personStore.findById(d.db, personId);
      if (!(await verifyPassword(person?.password_hash, current))) return { ok: false, reason: 'wrong_password' };
      if (!person) return { ok: false, reason: 'unknown_account' };
      await personStore.setPassword(d.db, person.id, await hashPassword(next));
      await emailTokenStore.revokeResets(d.db, person.id, d.clock.now());
      const revoked = await d.sessions.revoke(person.id, keep);
      log.info('password changed', { person_id: person.id, ...revoked });
      // The notice is a courtesy; the change already happened, so a mail failure is only logged (by the mailer).
      await d.mailer.send(mails.passwordChanged(person.email)).catch(() => undefined);
      return { ok: true };
    },

    /** Forgets expired links, and unverified accounts older than a sign-up link's life. */
    async purgeStale(): Promise<{ tokens: number; persons: number }> {
      const now = d.clock.now();
      const tokensGone = await emailTokenStore.deleteExpired(d.db, now);
      const persons = await personStore.deleteUnverifiedBefore(d.db, new Date(now.getTime() - SIGNUP_TTL_MS));
      return { tokens: tokensGone, persons };
    },

    /** From consent on, the tenant knows the person under its pairwise subject. */
    recordSubject: (tenantId: string, personId: string) => personStore.upsertSubject(d.db, { tenant_id: tenantId, person_id: personId, sub: pairwise(tenantId, personId) }),
    findSubject: (tenantId: string, sub: string) => personStore.findSubject(d.db, tenantId, sub),
  };
}
