// Every periodic task of a process, started in one place with one stop(): the OIDC payload sweep, upload
// retention, erased persons' record retention, the account sweep (expired emailed links, unverified accounts), the assurance expiry sweep, and the webhook machinery (relay and dispatchers, Redis reconciler,
// history retention). The server runs all of them; `npm run worker` runs the webhook part only.
import { sweepExpiredAssurance } from './assurance/expiry.js';
import type { SecretBox } from './crypto/seal.js';
import type { Infra } from './infra.js';
import { log } from './log.js';
import { outages } from './db/outage.js';
import { sweepExpiredPayloads } from './oidc/adapters/postgres.js';
import type { PersonService } from './persons/service.js';
import type { PrivacyService } from './privacy/service.js';
import type { AuditService } from './audit/service.js';
import { purgeLegacyOidcKeys } from './oidc/adapters/redis.js';
import { pruneKnownAddresses } from './persons/sign-in-limits.js';
import type { CaseService } from './verification/cases/service.js';
import type { SessionService } from './verification/sessions/service.js';
import { reconcileQueue } from './webhooks/reconciler.js';
import { pruneWebhookHistory } from './webhooks/retention.js';
import { startWebhookWorkers, type WebhookWorkerOptions } from './webhooks/workers.js';
import type { LookupCounter } from './usage/lookups.js';

export interface JobIntervals {
  oidcSweepMs: number;
  uploadRetentionMs: number;
  expirySweepMs: number;
  webhookHistoryMs: number;
  accountSweepMs: number;
  knownAddressesMs: number;
  recordRetentionMs: number;
  sessionExpiryMs: number;
  usageFlushMs: number;
}

const DEFAULT_INTERVALS: JobIntervals = {
  oidcSweepMs: 60_000,
  uploadRetentionMs: 3_600_000,
  expirySweepMs: 60_000,
  webhookHistoryMs: 3_600_000,
  accountSweepMs: 3_600_000,
  knownAddressesMs: 3_600_000,
  recordRetentionMs: 3_600_000,
  sessionExpiryMs: 60_000,
  usageFlushMs: 60_000,
};

export interface JobOptions {
  /** Opens endpoints' signing secrets for the webhook dispatchers. */
  webhookSecrets: SecretBox;
  /** The server's case service: its uploads are purged after DOCUMENT_RETENTION_DAYS (once at start, then hourly). */
  cases?: Pick<CaseService, 'purgeExpiredUploads'>;
  /** The server's person service: expired emailed links and unverified accounts older than a sign-up link's life go. */
  persons?: Pick<PersonService, 'purgeStale'>;
  /** Erased persons' decision records are deleted RECORD_RETENTION_YEARS after the erasure (the server). */
  privacy?: Pick<PrivacyService, 'purgeExpiredRecords'>;
  /** Audit entries older than RECORD_RETENTION_YEARS leave their chains behind a checkpoint (the server). */
  audit?: Pick<AuditService, 'pruneExpired'>;
  /** The server's session service: sessions whose link ran out while the person could act become `expired`. */
  sessions?: Pick<SessionService, 'expireDue' | 'resumeStuck'>;
  /** Sweep expired OIDC artifacts from the database (the server; Redis expires its own but the sweep is harmless). */
  oidcPayloads?: boolean;
  /** Forget the addresses accounts signed in from once their life ends (the server). */
  signInAddresses?: boolean;
  /** Webhook worker settings (WEBHOOK_WORKERS=0: this process delivers nothing and runs no webhook task). */
  webhooks?: Partial<WebhookWorkerOptions>;
  /** The server's status-lookup counts, added to usage_counters every minute (and once more at stop). */
  lookups?: Pick<LookupCounter, 'flush'>;
  intervals?: Partial<JobIntervals>;
}

export interface Jobs {
  stop(): Promise<void>;
}

/** Runs `task` every `ms`, never two at once; failures are logged (an outage once) and the next tick tries again. */
function every(ms: number, name: string, task: () => Promise<unknown>): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    task()
      .catch((err: unknown) => {
        if (!outages.note(err)) log.error(`${name} failed`, { err: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => (busy = false));
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}

export async function startJobs(infra: Pick<Infra, 'config' | 'db' | 'redis' | 'clock'>, opts: JobOptions): Promise<Jobs> {
  const { config, db, redis, clock } = infra;
  const iv = { ...DEFAULT_INTERVALS, ...opts.intervals };
  const timers: (() => void)[] = [];

  if (opts.oidcPayloads) timers.push(every(iv.oidcSweepMs, 'oidc sweep', () => sweepExpiredPayloads(db.knex, clock.now())));
  if (opts.oidcPayloads && redis) {
    // Once per start, cheap when there is nothing left: artifacts of the release before ids were hashed.
    void purgeLegacyOidcKeys(redis, config.redisPrefix).then(
      (n) => n && log.warn('deleted OIDC artifacts stored with plain ids (those sessions and tokens ended)', { keys: n }),
      (err: unknown) => log.warn('purging plain-id OIDC artifacts failed', { err: String(err) }),
    );
  }

  if (opts.lookups) {
    const lookups = opts.lookups;
    timers.push(every(iv.usageFlushMs, 'usage counters flush', () => lookups.flush()));
  }
  if (opts.signInAddresses) timers.push(every(iv.knownAddressesMs, 'sign-in address sweep', () => pruneKnownAddresses(db.knex, clock.now())));

  const cases = opts.cases;
  if (cases) {
    const purge = async () => {
      const r = await cases.purgeExpiredUploads();
      if (r.purged) log.info('verification uploads purged', { cases: r.purged, retention_days: config.documentRetentionDays });
    };
    void purge().catch((err: unknown) => log.warn('retention sweep failed', { err: String(err) }));
    timers.push(every(iv.uploadRetentionMs, 'retention sweep', purge));
  }

  const persons = opts.persons;
  if (persons) {
    const purge = async () => {
      const r = await persons.purgeStale();
      if (r.tokens || r.persons) log.info('account sweep', { expired_links: r.tokens, unverified_accounts: r.persons });
    };
    void purge().catch((err: unknown) => log.warn('account sweep failed', { err: String(err) }));
    timers.push(every(iv.accountSweepMs, 'account sweep', purge));
  }

  const privacy = opts.privacy;
  if (privacy) {
    const purge = async () => {
      const n = await privacy.purgeExpiredRecords();
      if (n) log.info('decision records of erased persons deleted', { cases: n, retention_years: config.recordRetentionYears });
    };
    void purge().catch((err: unknown) => log.warn('record retention sweep failed', { err: String(err) }));
    timers.push(every(iv.recordRetentionMs, 'record retention sweep', purge));
  }
  const audit = opts.audit;
  if (audit) {
    const prune = async () => {
      const r = await audit.pruneExpired();
      if (r.removed) log.info('audit entries past retention removed', { ...r, retention_years: config.recordRetentionYears });
    };
    void prune().catch((err: unknown) => log.warn('audit retention sweep failed', { err: String(err) }));
    timers.push(every(iv.recordRetentionMs, 'audit retention sweep', prune));
  }
  const sessions = opts.sessions;
  if (sessions) {
    timers.push(
      every(iv.sessionExpiryMs, 'verification session expiry', async () => {
        const r = await sessions.expireDue();
        if (r.expired) log.info('verification sessions expired', { sessions: r.expired });
        const s = await sessions.resumeStuck();
        if (s.resumed) log.info('verification sessions left processing were decided', { sessions: s.resumed });
      }),
    );
  }

  const webhooks = await startWebhookWorkers({ ...infra, webhookSecrets: opts.webhookSecrets }, opts.webhooks);
  if (webhooks.parts.options.workers > 0) {
    const { queue, options } = webhooks.parts;
    timers.push(
      every(iv.expirySweepMs, 'assurance expiry sweep', () => sweepExpiredAssurance(db.knex, clock)),
      every(iv.webhookHistoryMs, 'webhook history retention', () => pruneWebhookHistory(db.knex, clock, config.webhooks.retentionDays)),
    );
    if (redis) {
      timers.push(
        every(options.reconcileIntervalMs, 'webhook reconcile', () =>
          reconcileQueue(db, redis, queue, clock, { prefix: config.redisPrefix, graceMs: options.leaseMs, lockMs: options.reconcileIntervalMs }),
        ),
      );
    }
  }

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        timers.splice(0).forEach((clear) => clear());
        await webhooks.stop();
        await opts.lookups?.flush().catch((err: unknown) => log.warn('usage counters flush at stop failed', { err: String(err) }));
      })();
      return stopped;
    },
  };
}
