// The person's rights over their data (/account): see who has access, withdraw a tenant's access, export
// everything, erase the account. Erasure deletes at once the images (sealed files and their rows, and photos
// staged in unfinished hosted sessions), the face
// templates (rows and this process's dedup index), the account and everything that cascades from it (subjects,
// assurance, links, recovery codes, the verified-document registry entry), and the person's OIDC sessions and
// grants (database or Redis). The cases' decision records stay without biometrics for RECORD_RETENTION_YEARS
// (erased_at), then purgeExpiredRecords deletes them (jobs.ts). README "Your data" says the same.
import { deleteTestAssurance } from '../assurance/test-mode.js';
import type { Knex } from 'knex';
import type { AccountClaims } from '../assurance/claims.js';
import { effectiveAssurance } from '../assurance/model.js';
import { assuranceStore } from '../assurance/store.js';
import type { AuditEntry, AuditRecorder } from '../audit/service.js';
import type { Clock } from '../clock.js';
import { log } from '../log.js';
import type { AccountData, AccountOverview } from '../persons/account-data.js';
import { verifyPassword } from '../persons/password.js';
import { personStore, twoStepStore } from '../persons/store.js';
import type { FaceDedup } from '../verification/dedup-adapter.js';
import { countByPerson } from '../verification/dedup/store.js';
import { backingCase, casesOfPerson, eraseCasesOf, purgeErasedRecords } from '../verification/cases/erasure.js';
import type { UploadStore } from '../verification/cases/files.js';
import { emitEvent, emitToPersonTenants } from '../webhooks/outbox.js';
import { exportDocument } from './export.js';

/** Ends OIDC sessions and grants (oidc/revoke.ts). */
export interface GrantRevoker {
  revoke(personId: string): Promise<{ sessions: number; grants: number }>;
  revokeTenant(personId: string, tenantId: string): Promise<{ grants: number }>;
}

export interface PrivacyDeps {
  db: Knex;
  clock: Clock;
  sessions: GrantRevoker;
  uploads: Pick<UploadStore, 'removeCase'>;
  /** Photos staged in the person's unfinished hosted sessions (verification/sessions). */
  staged: { clearStagedOf(personId: string): Promise<number> };
  dedup: Pick<FaceDedup, 'erase' | 'forget'>;
  /**
   * Drops this process's cached statuses at once (other processes hear the subjects trigger's NOTIFY); `claims`
   * reads the verified assurance's provenance and opens its sealed document claims for the export.
   */
  statusCache: { forgetCached(personId: string): void; claims(personId: string): Promise<AccountClaims | undefined> };
  /** How long an erased person's decision records are kept (RECORD_RETENTION_YEARS). */
  recordYears: number;
  /** Withdrawals, exports and erasures go on the operator's audit chain (a tenant's chain never names a person). */
  audit: Pick<AuditRecorder, 'record'>;
}

const byPerson = (personId: string, action: string, details?: Record<string, unknown>): AuditEntry => ({
  tenantId: null,
  actor: { type: 'person', id: personId },
  action,
  object: { type: 'person', id: personId },
  ...(details ? { details } : {}),
});

export type PrivacyService = AccountData & {
  /** Deletes decision records of erased persons older than the record-keeping period (jobs.ts). */
  purgeExpiredRecords(): Promise<number>;
};

/** The last 3 characters of a masked number, when they are not themselves masked. */
export function numberEnd(masked: string | undefined): string | null {
  const tail = masked?.slice(-3);
  return tail && /^[A-Za-z0-9]{3}$/.test(tail) ? tail : null;
}

/** `years` before `now` (calendar years, so a leap day does not shorten the period). */
export function yearsBefore(now: Date, years: number): Date {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d;
}

export function createPrivacyService(d: PrivacyDeps): PrivacyService {
  const { db } = d;
  return {
    async overview(personId): Promise<AccountOverview> {
      const [row, approved, access] = await Promise.all([assuranceStore.find(db, personId), backingCase(db, personId), personStore.accessOf(db, personId)]);
      const a = effectiveAssurance(row, d.clock.now());
      const e = approved?.extraction;
      return {
        assurance: { status: a.kyc_status, tier: a.kyc_tier, verifiedAt: row?.verified_at ?? null, expiresAt: row?.expires_at ?? null },
        ...(approved
          ? { document: { type: e?.type ?? null, country: e?.mrz?.issuing_country ?? null, numberEnd: numberEnd(e?.mrz?.document_number_masked), verifiedAt: approved.reviewed_at ?? approved.decided_at } }
          : {}),
        access: access.map((t) => ({ tenantId: t.tenant_id, tenantName: t.tenant_name, since: t.since })),
      };
    },

    async withdraw(personId, tenantId) {
      const access = (await personStore.accessOf(db, personId)).find((t) => t.tenant_id === tenantId);
      if (!access) return { withdrawn: false };
      // Grants first (they may live in Redis, outside the transaction): if the rest fails, the person tries again.
      const ended = await d.sessions.revokeTenant(personId, tenantId);
      const now = d.clock.now();
      const sub = await db.transaction(async (trx) => {
        const gone = await personStore.deleteSubject(trx, tenantId, personId);
        // The tenant's test-mode assurance of the person goes with its access.
        await deleteTestAssurance(trx, tenantId, personId);
        if (gone) await emitEvent(trx, { tenantId, type: 'person.access.withdrawn', data: { person_id: gone, withdrawn_at: now.toISOString() }, at: now });
        if (gone) await d.audit.record(byPerson(personId, 'person.access_withdrawn', { tenant_id: tenantId }), trx);
        return gone;
      });
      d.statusCache.forgetCached(personId);
      log.info('tenant access withdrawn', { person_id: personId, tenant_id: tenantId, ...ended });
      return { withdrawn: sub !== undefined, tenantName: access.tenant_name };
    },

    async exportData(personId) {
      const person = await personStore.findById(db, personId);
      if (!person) throw new Error('export of an unknown person');
      const [row, access, cases, recoveryCodesLeft, faceTemplates, account] = await Promise.all([
        assuranceStore.find(db, personId),
        personStore.accessOf(db, personId),
        casesOfPerson(db, personId),
        twoStepStore.unusedRecoveryCodes(db, personId),
        countByPerson(db, personId),
        d.statusCache.claims(personId),
      ]);
      await d.audit.record(byPerson(personId, 'person.data_exported'));
      const assurance = effectiveAssurance(row, d.clock.now());
      return exportDocument({ now: d.clock.now(), person, assurance, access, cases, recoveryCodesLeft, faceTemplates, verified: account?.verified });
    },

    async erase(personId, password) {
      const person = await personStore.findById(db, personId);
      if (!(await verifyPassword(person?.password_hash, password)) || !person) return { ok: false, reason: 'wrong_password' };
      const { cases } = await casesOfPerson(db, personId);
      // Sign-ins end first, then the images: if the transaction below fails, no session outlives the request.
      await d.sessions.revoke(personId);
      for (const c of cases) await d.uploads.removeCase(c.id);
      const staged = await d.staged.clearStagedOf(personId);
      const now = d.clock.now();
      const { erased, faceIds, tenants } = await db.transaction(async (trx) => {
        // Announced while the subjects still exist; deleting the person below removes them (cascade).
        const events = await emitToPersonTenants(trx, personId, 'person.deleted', () => ({ deleted_at: now.toISOString() }), { at: now });
        const faceIds = await d.dedup.erase(trx, personId);
        const erased = await eraseCasesOf(trx, personId, now);
        await personStore.delete(trx, personId);
        await d.audit.record(byPerson(personId, 'person.erased', { cases_kept: erased.kept, cases_deleted: erased.deleted, tenants_told: events.ids.length }), trx);
        return { erased, faceIds, tenants: events.ids.length };
      });
      // Cases that appeared between the listing and the transaction, and sessions started meanwhile.
      for (const id of erased.caseIds) await d.uploads.removeCase(id);
      await d.dedup.forget(faceIds);
      d.statusCache.forgetCached(personId);
      await d.sessions.revoke(personId);
      log.info('person erased', { person_id: personId, records_kept: erased.kept, cases_deleted: erased.deleted, files: erased.files, staged_sessions: staged, faces: faceIds.length, tenants_told: tenants });
      return { ok: true };
    },

    purgeExpiredRecords: () => purgeErasedRecords(db, yearsBefore(d.clock.now(), d.recordYears)),
  };
}
