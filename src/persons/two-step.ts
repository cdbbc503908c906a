// Optional two-step sign-in: a TOTP authenticator app (totp.ts) plus ten single-use recovery codes.
// Turning it on needs the password (a borrowed session must not lock the owner out with its own device) and then
// a code from the new secret; turning it off needs the password and a code. The secret is sealed at rest, bound
// to the person; recovery codes are stored as keyed hashes (50 random bits each: a hash is enough, and online
// guesses are held by the sign-in limits). A password reset leaves it on: the recovery codes are the way back
// when the device is lost.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { AuditActor } from '../audit/chain.js';
import type { AuditEntry, AuditRecorder } from '../audit/service.js';
import type { Clock } from '../clock.js';
import { keyedHash } from '../crypto/hash.js';
import type { SecretBox } from '../crypto/seal.js';
import { ConflictError, NotFoundError } from '../http/errors.js';
import { log } from '../log.js';
import type { Mailer } from './mailer.js';
import { mails } from './mails.js';
import { verifyPassword } from './password.js';
import type { SessionRevoker } from './service.js';
import { personStore, twoStepStore, type PersonRow } from './store.js';
import { base32Decode, base32Encode, groupedSecret, matchStep, newSecret, otpauthUri } from './totp.js';

export const ISSUER = 'KYCPort';
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const RECOVERY_SHAPE = /^[a-z2-7]{10}$/;

export interface TwoStepDeps {
  db: Knex;
  clock: Clock;
  mailer: Mailer;
  /** Seals TOTP secrets (the instance secret's 'totp-secrets' subkey). */
  box: SecretBox;
  /** The instance secret's 'recovery-codes' subkey. */
  recoveryKey: Buffer;
  sessions: SessionRevoker;
  /** Turning it on or off and new recovery codes go on the operator's audit chain (never a code or secret). */
  audit: Pick<AuditRecorder, 'record'>;
}

/** What the enrolment page shows: the secret as text, and the URI its QR code carries. */
export interface Enrolment {
  secret: string;
  uri: string;
}

/** How a second step was passed: an authenticator code, or a recovery code (now used up). */
export type SecondFactor = 'totp' | 'recovery';

/** Why a change that needs the password and a code was refused. */
type Refused = { ok: false; reason: 'wrong_password' | 'wrong_code' | 'not_on' };
export type TurnOff = { ok: true } | Refused;
export type NewCodes = { ok: true; recoveryCodes: string[] } | Refused;

const normaliseRecovery = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, '');
const newRecoveryCode = () => {
  const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[crypto.randomInt(32)]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
};

const twoStepEntry = (actor: AuditActor, personId: string, action: string): AuditEntry => ({ tenantId: null, actor, action, object: { type: 'person', id: personId } });

/** Clears the secret (on or pending), the last step and the recovery codes, and tells the person. */
async function disable(d: Pick<TwoStepDeps, 'db' | 'mailer' | 'audit'>, p: PersonRow, by: 'person' | 'operator', actor: AuditActor): Promise<void> {
  await d.db.transaction(async (trx) => {
    await twoStepStore.disable(trx, p.id);
    await twoStepStore.replaceRecoveryCodes(trx, p.id, []);
    await d.audit.record(twoStepEntry(actor, p.id, 'person.two_step_disabled'), trx);
  });
  log.info('two-step sign-in turned off', { person_id: p.id, by });
  await d.mailer.send(mails.twoStepChanged(p.email, false)).catch(() => undefined);
}

/**
 * The operator's way back for a person who lost both the device and the recovery codes (`kycport person
 * two-step-off`). The operator checks who is asking; sessions stay as they are, as when the person turns it off.
 */
export async function operatorTurnOff(
  d: Pick<TwoStepDeps, 'db' | 'mailer' | 'audit'>,
  who: { email: string } | { personId: string },
  actor: AuditActor,
): Promise<{ person_id: string; email: string; was_on: boolean }> {
  const p = 'email' in who ? await personStore.findByEmail(d.db, who.email) : await personStore.findById(d.db, who.personId);
  if (!p) throw new NotFoundError('Person');
  const wasOn = p.totp_enabled_at !== null;
  if (wasOn || p.totp_secret) await disable(d, p, 'operator', actor);
  return { person_id: p.id, email: p.email, was_on: wasOn };
}

export function createTwoStep(d: TwoStepDeps) {
  const aad = (personId: string) => `totp:${personId}`;
  const secretOf = (p: PersonRow) => (p.totp_secret ? base32Decode(d.box.open(p.totp_secret, aad(p.id))) : undefined);
  const recoveryHash = (personId: string, code: string) => keyedHash(d.recoveryKey, `${personId}\n${normaliseRecovery(code)}`);
  const enrolment = (p: PersonRow, secret: Buffer): Enrolment => ({ secret: groupedSecret(secret), uri: otpauthUri(secret, ISSUER, p.email) });

  /** An authenticator code (replay-safe: each time step once) or an unused recovery code, or undefined. */
  /** Changing two-step sign-in needs both factors: the password, then a code (authenticator or recovery). */
  async function proveOwner(personId: string, password: string, code: string): Promise<PersonRow | Refused> {
    const p = await personStore.findById(d.db, personId);
    if (!p || !(await verifyPassword(p.password_hash, password))) return { ok: false, reason: 'wrong_password' };
    if (!p.totp_enabled_at) return { ok: false, reason: 'not_on' };
    if (!(await verify(p, code))) return { ok: false, reason: 'wrong_code' };
    return p;
  }

  async function verify(p: PersonRow, code: string): Promise<SecondFactor | undefined> {
    const secret = p.totp_enabled_at ? secretOf(p) : undefined;
    if (!secret) return undefined;
    const digits = code.replace(/\s/g, '');
    if (/^\d+$/.test(digits)) {
      const step = matchStep(secret, digits, d.clock.now(), p.totp_last_step ?? -1);
      // The conditional update is the replay check: of two requests with one code, only one moves the step on.
      return step !== undefined && (await twoStepStore.useStep(d.db, p.id, step)) === 1 ? 'totp' : undefined;
    }
    if (!RECOVERY_SHAPE.test(normaliseRecovery(code))) return undefined;
    return (await twoStepStore.useRecoveryCode(d.db, p.id, recoveryHash(p.id, code), d.clock.now())) === 1 ? 'recovery' : undefined;
  }

  return {
    isOn: (p: PersonRow): boolean => p.totp_enabled_at !== null,
    unusedRecoveryCodes: (personId: string) => twoStepStore.unusedRecoveryCodes(d.db, personId),

    /** Starts (or starts again) an enrolment: a new secret, kept sealed until a code from it confirms it. */
    async begin(personId: string, password: string): Promise<{ ok: true; enrolment: Enrolment } | { ok: false; reason: 'wrong_password' }> {
      const p = await personStore.findById(d.db, personId);
      if (!p || !(await verifyPassword(p.password_hash, password))) return { ok: false, reason: 'wrong_password' };
      if (p.totp_enabled_at) throw new ConflictError('two_step_on', 'Two-step sign-in is already on.');
      const secret = newSecret();
      await twoStepStore.setPending(d.db, p.id, d.box.seal(base32Encode(secret), aad(p.id)));
      return { ok: true, enrolment: enrolment(p, secret) };
    },
    /** The enrolment waiting for its code (to show its page again after a wrong code). */
    async pending(personId: string): Promise<Enrolment | undefined> {
      const p = await personStore.findById(d.db, personId);
      const secret = p && !p.totp_enabled_at ? secretOf(p) : undefined;
      return p && secret && enrolment(p, secret);
    },
    /**
     * A code from the new secret turns it on: the recovery codes are made (returned once, stored hashed) and the
     * person's other sessions end, so none signed in with the password alone outlives the change.
     */
    async confirm(personId: string, code: string, keep: { sessionId: string }): Promise<{ ok: true; recoveryCodes: string[] } | { ok: false }> {
      const p = await personStore.findById(d.db, personId);
      const secret = p && !p.totp_enabled_at ? secretOf(p) : undefined;
      const step = secret && matchStep(secret, code.replace(/\s/g, ''), d.clock.now());
      if (!p || step === undefined) return { ok: false };
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
      const turnedOn = await d.db.transaction(async (trx) => {
        if ((await twoStepStore.enable(trx, p.id, step, d.clock.now())) !== 1) return false;
        await twoStepStore.replaceRecoveryCodes(trx, p.id, codes.map((c) => recoveryHash(p.id, c)));
        await d.audit.record(twoStepEntry({ type: 'person', id: p.id }, p.id, 'person.two_step_enabled'), trx);
        return true;
      });
      if (!turnedOn) return { ok: false };
      const revoked = await d.sessions.revoke(p.id, keep);
      log.info('two-step sign-in turned on', { person_id: p.id, ...revoked });
      await d.mailer.send(mails.twoStepChanged(p.email, true)).catch(() => undefined);
      return { ok: true, recoveryCodes: codes };
    },
    /** The second step of a sign-in, after the right password. */
    async verify(personId: string, code: string): Promise<SecondFactor | undefined> {
      const p = await personStore.findById(d.db, personId);
      return p ? verify(p, code) : undefined;
    },
    /** Needs the password and a code (an authenticator code, or a recovery code). */
    async turnOff(personId: string, password: string, code: string): Promise<TurnOff> {
      const p = await proveOwner(personId, password, code);
      if ('ok' in p) return p; // refused
      await disable(d, p, 'person', { type: 'person', id: p.id });
      return { ok: true };
    },
    /** New recovery codes in place of all the old ones (used or not); needs the password and a code. */
    async newRecoveryCodes(personId: string, password: string, code: string): Promise<NewCodes> {
      const p = await proveOwner(personId, password, code);
      if ('ok' in p) return p; // refused
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
      await d.db.transaction(async (trx) => {
        await twoStepStore.replaceRecoveryCodes(trx, p.id, codes.map((c) => recoveryHash(p.id, c)));
        await d.audit.record(twoStepEntry({ type: 'person', id: p.id }, p.id, 'person.recovery_codes_replaced'), trx);
      });
      log.info('recovery codes replaced', { person_id: p.id });
      return { ok: true, recoveryCodes: codes };
    },
  };
}

export type TwoStep = ReturnType<typeof createTwoStep>;
