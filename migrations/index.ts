// Every migration in order. Add new ones at the end; never edit one that has shipped.
import type { Migration } from '../src/db/migrate.js';
import { core } from './20261122_0001_core.js';
import { invalidation } from './20261122_0002_invalidation.js';
import { webhooks } from './20261122_0010_webhooks.js';
import { screening } from './20261122_0030_screening.js';
import { verification } from './20261122_0020_verification.js';
import { faces } from './20261122_0040_faces.js';
import { faceSketches } from './20261122_0050_face_sketches.js';
import { emailTokens } from './20261202_accounts_0001_email_tokens.js';
import { oidcHashedIds } from './20261202_0060_oidc_hashed_ids.js';
import { faceTemplatesSealed } from './20261202_0070_face_templates_sealed.js';
import { signInAddresses } from './20261202_0080_sign_in_addresses.js';
import { faceSketchesSealed } from './20261202_0090_face_sketches_sealed.js';
import { totp } from './20261202_accounts_0002_totp.js';
import { erasure } from './20261202_account_0001_erasure.js';
import { verificationSessions } from './20261202_sessions_0001_verification_sessions.js';
import { consoleStaff } from './20261203_console_0001_staff.js';
import { assuranceProvenance } from './20261203_assurance_0001_provenance.js';
import { auditEntries } from './20261203_audit_0001_audit_entries.js';
import { apiKeyScopes } from './20261203_tenants_0001_api_key_scopes.js';
import { usageCounters } from './20261203_usage_0001_counters.js';
import { sandboxLivemode } from './20261203_sandbox_0001_livemode.js';
import { personNotify } from './20261203_assurance_0002_person_notify.js';
import { caseRetakes } from './20261203_cases_0001_retakes.js';
import { dedupDescriptor } from './20261203_dedup_0001_descriptor.js';

export const migrations: Migration[] = [core, invalidation, webhooks, screening, verification, faces, faceSketches, emailTokens, oidcHashedIds, faceTemplatesSealed, signInAddresses, faceSketchesSealed, totp, erasure, verificationSessions, consoleStaff, assuranceProvenance, auditEntries, apiKeyScopes, usageCounters, sandboxLivemode, personNotify, caseRetakes, dedupDescriptor];
