// What /account shows and does about the person's data beyond the sign-in credentials: their assurance and the
// document behind it, the tenants with access, withdrawal, export and erasure. The implementation lives in
// privacy/ (it reaches into verification and the OIDC store); persons/routes.ts only sees this interface.
import type { KycStatus, KycTier } from '../assurance/model.js';

export interface AccountOverview {
  assurance: { status: KycStatus; tier: KycTier; verifiedAt: Date | null; expiresAt: Date | null };
  /** The document of the latest approved verification, with at most the last 3 characters of its number. */
  document?: { type: string | null; country: string | null; numberEnd: string | null; verifiedAt: Date | null };
  /** Tenants the person consented to, oldest first. */
  access: { tenantId: string; tenantName: string; since: Date }[];
}

export type Erase = { ok: true } | { ok: false; reason: 'wrong_password' };

export interface AccountData {
  overview(personId: string): Promise<AccountOverview>;
  /** Ends one tenant's access; `withdrawn: false` when it had none. */
  withdraw(personId: string, tenantId: string): Promise<{ withdrawn: boolean; tenantName?: string }>;
  /** Everything stored about the person, as JSON-ready data (images listed, never their content). */
  exportData(personId: string): Promise<Record<string, unknown>>;
  /** Deletes the account now (after the password); decision records stay, without biometrics. */
  erase(personId: string, password: string): Promise<Erase>;
}
