// The composition root: builds every domain service once, from exactly what it needs, over the opened
// infrastructure (infra.ts) and the key material. app.ts hands each router its service; jobs.ts runs the
// periodic parts. Nothing below this file sees the whole set.
import type { Infra } from './infra.js';
import { createAssuranceService, type AssuranceService } from './assurance/service.js';
import { createAuditService, type AuditService } from './audit/service.js';
import { mailerFor, type Mailer } from './persons/mailer.js';
import { configurePasswordHashing } from './persons/password.js';
import { createPersonService, type PersonService } from './persons/service.js';
import { createSignInLimits, type SignInLimits } from './persons/sign-in-limits.js';
import { deriveKey } from './crypto/derive.js';
import { caseKeys, webhookSecretsKey } from './crypto/keys.js';
import { secretBox, type SecretBox } from './crypto/seal.js';
import type { KeyMaterial } from './oidc/keys.js';
import { createProvider, type OidcProvider } from './oidc/provider.js';
import { createPrivacyService, type PrivacyService } from './privacy/service.js';
import { createScreeningService, type ScreeningService } from './screening/index.js';
import { createApiKeyAuth } from './tenants/api-key-auth.js';
import { createTenantService, type TenantService } from './tenants/service.js';
import { createFaceDedup, type FaceDedup } from './verification/dedup-adapter.js';
import { descriptorId } from './verification/engine/face/descriptors/setting.js';
import { createEngines, type EngineRuntime, type VerificationEngines } from './verification/engine/engines.js';
import { UploadStore } from './verification/cases/files.js';
import { TempUploadDir } from './verification/cases/temp-files.js';
import { createCaseService, type CaseService } from './verification/cases/service.js';
import { createSessionService, type SessionService } from './verification/sessions/service.js';
import { createWebhookService, type WebhookService } from './webhooks/service.js';
import type Koa from 'koa';
import { holds, REVIEW_ROLES } from './console/roles.js';
import { createStaff, type Staff } from './console/staff.js';
import { createReviewService, type ReviewService } from './review/service.js';
import { createLookupCounter, type LookupCounter } from './usage/lookups.js';

export interface Services {
  assurance: AssuranceService;
  tenants: TenantService;
  persons: PersonService;
  /** Failed sign-ins per address and per account, and the addresses each account signed in from. */
  signInLimits: SignInLimits;
  cases: CaseService;
  /** Hosted verification sessions (tenant API, the /verify pages, the expiry job). */
  sessions: SessionService;
  webhooks: WebhookService;
  /** The tamper-evident audit trail: record (in the caller's transaction), verify, export, prune. */
  audit: AuditService;
  /** The person's data on /account: access list, withdrawal, export, erasure (and the records' retention). */
  privacy: PrivacyService;
  /** Seals and opens webhook endpoints' signing secrets (the service and the jobs' dispatchers). */
  webhookSecrets: SecretBox;
  screening: ScreeningService;
  /** Staff accounts and their roles (console/). */
  staff: Staff;
  /** The operator's review queue and decisions (review/), used by the console. */
  review: ReviewService;
  /** Status lookups per tenant, counted in memory and flushed by the jobs (usage/lookups.ts). */
  lookups: LookupCounter;
  oidc: OidcProvider;
  /** Tenant API-key authentication + per-key limits: one middleware (one key cache) for every tenant router. */
  requireApiKey: Koa.Middleware;
  /** Signs the browser pages' CSRF tokens (sign-in, account pages). */
  csrfKey: Buffer;
  /** Signs the note that carries a passed password step to the two-step code page. */
  stepKey: Buffer;
  /** Sealed upload files (tests and audits read what is stored). */
  uploads: UploadStore;
  engines: EngineRuntime;
  dedup: FaceDedup;
  /** Starts the engine workers and loads the screening and dedup indexes now instead of on first use. */
  warmup(): Promise<void>;
  /** Stops what the services started (the engine pool); the infrastructure is closed by its opener. */
  close(): Promise<void>;
}

export interface ComposeOptions {
  mailer?: Mailer;
  /** Replaces the engine worker pool (e.g. one pool shared by several test servers). */
  engines?: VerificationEngines;
}

export function compose(infra: Infra, keys: KeyMaterial, opts: ComposeOptions = {}): Services {
  const { config, clock, invalidations } = infra;
  const db = infra.db.knex;
  const subkey = (purpose: string) => deriveKey(keys.secret, purpose);

  const ck = caseKeys(config, keys.secret);
  const audit = createAuditService({ db, clock, retentionYears: config.recordRetentionYears });
  // The document claims kept with a verified assurance are sealed like the case data they are copied from.
  const assurance = createAssuranceService({ db, clock, invalidations, claimsKey: ck.encryption });
  const tenants = createTenantService({ db, clock, config });
  const persons = createPersonService({
    db,
    clock,
    mailer: opts.mailer ?? mailerFor(config),
    publicUrl: config.publicUrl,
    keys: { pairwise: subkey('pairwise-subject'), emailTokens: subkey('email-tokens'), totpSecrets: subkey('totp-secrets'), recoveryCodes: subkey('recovery-codes') },
    // The provider is built next (it needs the persons' pairwise subjects); a reset ends sessions through it.
    sessions: { revoke: (personId, keep) => oidc.sessions.revoke(personId, keep) },
    audit,
  });
  configurePasswordHashing(config.passwordHashing);
  const signInLimits = createSignInLimits({
    db,
    clock,
    counters: infra.counters,
    key: subkey('sign-in-address'),
    perHour: config.rateLimit.loginPerHour,
    knownAddressDays: config.knownAddressDays,
  });
  const oidc: OidcProvider = createProvider({ config, db, redis: infra.redis, clock, keys, claims: assurance.claims, pairwise: persons.pairwise });
  const screening = createScreeningService(infra.db);
  // Workers start on first use, so composing an app that never verifies costs nothing.
  const engines = createEngines({
    workers: config.verification.workers,
    busyShare: config.verification.busyShare,
    taskTimeoutMs: config.verification.taskTimeoutMs,
    maxInputPixels: config.uploads.image.maxPixels,
    faceDescriptor: config.verification.faceDescriptor,
    engines: opts.engines,
  });
  // Face templates are sealed with the document encryption key, like the images they come from.
  const dedup = createFaceDedup(infra.db, ck.encryption, descriptorId(config.verification.faceDescriptor));
  const uploads = UploadStore.under(config.dataDir, ck.encryption);
  // A body in flight lives at most UPLOAD_BODY_TIMEOUT_MS plus its analysis; older temporary files are a crash's.
  const uploadTemp = TempUploadDir.open(config.dataDir, ck.encryption, config.uploads.bodyTimeoutMs + 3_600_000);
  const cases = createCaseService({
    db,
    clock,
    engines,
    uploads,
    keys: ck,
    screening,
    dedup,
    assurance,
    retentionDays: config.documentRetentionDays,
    sandbox: config.sandbox,
    uploadTemp,
    uploadLimits: config.uploads,
    // A session follows its attempt's case inside the case's decision/review transaction (built just below).
    onOutcome: (trx, c) => sessions.onCaseOutcome(trx, c),
  });
  const sessions = createSessionService({
    db,
    clock,
    cases,
    recordSubject: persons.recordSubject,
    pairwise: persons.pairwise,
    findSubject: persons.findSubject,
    publicUrl: config.publicUrl,
    key: subkey('verification-links'),
    uploads,
    imageLimits: config.uploads.image,
  });
  const privacy = createPrivacyService({
    db,
    clock,
    sessions: { revoke: (personId) => oidc.sessions.revoke(personId), revokeTenant: (personId, tenantId) => oidc.sessions.revokeTenant(personId, tenantId) },
    uploads,
    staged: sessions,
    dedup,
    statusCache: assurance,
    recordYears: config.recordRetentionYears,
    audit,
  });
  const webhookSecrets = secretBox(webhookSecretsKey(keys.secret));
  const webhooks = createWebhookService({ config, db: infra.db, redis: infra.redis, clock, webhookSecrets, audit });
  const mailer = opts.mailer ?? mailerFor(config);
  const staff = createStaff({ db, clock, mailer, publicUrl: config.publicUrl, emailTokensKey: subkey('email-tokens'), audit });
  const review = createReviewService({
    db,
    clock,
    cases,
    mayReview: async (personId) => holds(await staff.grantsOf(personId), REVIEW_ROLES),
    uploads,
    dedup,
    caseKey: ck.encryption,
    notes: secretBox(subkey('review-notes')),
    slaHours: config.review.slaHours,
    t3Reviewers: config.review.t3Reviewers,
    claimMinutes: config.review.claimMinutes,
    audit,
  });
  const requireApiKey = createApiKeyAuth({ db, invalidations, limiter: infra.apiLimiter, limits: config.rateLimit });

  return {
    assurance,
    tenants,
    persons,
    signInLimits,
    cases,
    sessions,
    webhooks,
    audit,
    privacy,
    webhookSecrets,
    screening,
    staff,
    review,
    lookups: createLookupCounter({ db, clock }),
    oidc,
    requireApiKey,
    csrfKey: subkey('csrf'),
    stepKey: subkey('sign-in-step'),
    uploads,
    engines,
    dedup,
    async warmup() {
      await Promise.all([engines.warmup(), screening.currentIndex(), dedup.load()]);
    },
    close: () => engines.close(),
  };
}
