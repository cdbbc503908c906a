// The session service: a tenant's hosted verification from link to outcome. A session runs its captures through
// the case service — one case per attempt, so each case keeps its own immutable decision record and a retake
// never rewrites what was decided about the previous photos. The case's outcome reaches the session inside the
// case's own decision/review transaction (onCaseOutcome), so the session's status and its webhook commit with it.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../../clock.js';
import { keyedHash, sameSecret } from '../../crypto/hash.js';
import type { Trx } from '../../db/index.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from '../../http/errors.js';
import { cursorCodec } from '../../http/pages.js';
import { newId } from '../../ids.js';
import { log } from '../../log.js';
import type { EventType } from '../../webhooks/catalog.js';
import { emitEvent } from '../../webhooks/outbox.js';
import type { Level, Outcome, Reason } from '../cases/model.js';
import type { CaseService } from '../cases/service.js';
import type { UploadStore } from '../cases/files.js';
import type { ImageLimits } from '../cases/images.js';
import type { UploadBody } from '../cases/upload.js';
import { captures } from './captures.js';
import { MAX_ATTEMPTS, retakeCodes } from '../cases/retake.js';
import { isActive, LINK_TTL_MS, sessionEvent, ACTIVE, type SessionStatus } from './model.js';
import { redirectUriStore } from '../../tenants/redirect-uris.js';
import { linkStore, sessionStore, stagedOf, stuckProcessing, type DocumentType, type SessionRow, type SessionUpdate, type StageField } from './store.js';

export interface SessionDeps {
  db: Knex;
  clock: Clock;
  cases: Pick<CaseService, 'create' | 'get' | 'openForUpload' | 'upload' | 'decide' | 'challenge' | 'supersede'>;
  /** The tenant's pairwise subject of a person, recorded (persons service). */
  recordSubject: (tenantId: string, personId: string) => Promise<unknown>;
  pairwise: (tenantId: string, personId: string) => string;
  /** Finds the person behind a tenant's subject (a session created for a known person_id). */
  findSubject: (tenantId: string, sub: string) => Promise<{ person_id: string } | undefined>;
  /** PUBLIC_URL: links are absolute. */
  publicUrl: string;
  /** Keys the hashes of link tokens and browser secrets (the 'verification-links' subkey). */
  key: Buffer;
  /** The hosted flow's photos wait sealed here until the last step; checked with the case API's image limits. */
  uploads: UploadStore;
  imageLimits: ImageLimits;
}

export interface CreateSessionInput {
  tenantId: string;
  level: Level;
  externalUserId?: string;
  personId?: string;
  redirectUri: string;
  metadata?: Record<string, string>;
  locale?: string;
  idempotencyKey?: string;
  /** false: a test-mode session (a test key). Default: live. */
  livemode?: boolean;
  /** Step-up: where the browser goes at the end instead of redirect_uri (not part of the tenant API). */
  returnTo?: string;
}

export interface Issued {
  row: SessionRow;
  url: string | null;
}

export type LinkProblem = 'unknown' | 'used' | 'expired' | 'finished';

export type SessionService = ReturnType<typeof createSessionService>;

const TOKEN_SHAPE = /^[\w-]{43}$/;
/** A decision takes seconds; a session still `processing` after this was left behind by a stopped process. */
const STUCK_AFTER_MS = 10 * 60_000;
const requestHash = (i: CreateSessionInput) =>
  crypto.createHash('sha256').update(JSON.stringify([i.level, i.externalUserId, i.personId, i.redirectUri, i.metadata, i.locale])).digest('base64url');

const cursor = cursorCodec(/^vs_[\w-]+$/);

export function createSessionService(d: SessionDeps) {
  const hash = (s: string) => keyedHash(d.key, s);
  const linkUrl = (token: string) => new URL(`/verify/l/${token}`, d.publicUrl).toString();

  /** A fresh single-use link; the session lives as long as its newest link. */
  async function issueLink(trx: Knex | Trx, row: SessionRow, now: Date): Promise<Issued> {
    const token = crypto.randomBytes(32).toString('base64url');
    const expires = new Date(now.getTime() + LINK_TTL_MS);
    await linkStore.insert(trx, { token_hash: hash(token), session_id: row.id, expires_at: expires });
    await sessionStore.update(trx, row.id, { expires_at: expires, updated_at: row.updated_at });
    return { row: { ...row, expires_at: expires }, url: linkUrl(token) };
  }

  /** Moves a session (locked by the caller) and writes its event in the same transaction. */
  async function move(trx: Trx, row: SessionRow, type: EventType, fields: Omit<SessionUpdate, 'updated_at'>, now: Date, extra: Record<string, unknown> = {}): Promise<SessionRow> {
    const next: SessionRow = { ...row, ...fields, updated_at: now };
    await sessionStore.update(trx, row.id, { ...fields, updated_at: now });
    await emitEvent(trx, { tenantId: row.tenant_id, type, data: sessionEvent(next, extra), at: now, livemode: row.livemode });
    return next;
  }

  async function locked<T>(id: string, fn: (trx: Trx, row: SessionRow) => Promise<T>): Promise<T> {
    return d.db.transaction(async (trx) => {
      const row = await sessionStore.findByIdForUpdate(trx, id);
      if (!row) throw new NotFoundError('Verification session');
      return fn(trx, row);
    });
  }

  async function create(input: CreateSessionInput): Promise<Issued & { created: boolean; replayed: boolean }> {
    const reqHash = requestHash(input);
    const livemode = input.livemode ?? true;
    if (input.idempotencyKey) {
      const existing = await sessionStore.findByIdempotencyKey(d.db, input.tenantId, input.idempotencyKey, livemode);
      if (existing) {
        if (existing.request_hash !== reqHash) throw new UnprocessableError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body.');
        return { ...(await withLink(existing)), created: true, replayed: true };
      }
    }
    if (!input.returnTo && !(await redirectUriStore.isRegistered(d.db, input.tenantId, input.redirectUri))) {
      throw new BadRequestError('invalid_redirect_uri', 'redirect_uri is not registered for this tenant: use one of its clients\' redirect URIs or add it with `kycport tenant redirect-uris add`.');
    }
    let person: { person_id: string; sub: string } | undefined;
    if (input.personId) {
      const found = await d.findSubject(input.tenantId, input.personId);
      if (!found) throw new NotFoundError('Person');
      person = { person_id: found.person_id, sub: input.personId };
    }
    if (input.externalUserId) {
      const open = await sessionStore.findOpen(d.db, input.tenantId, input.externalUserId, input.level, livemode);
      if (open) return { ...(await withLink(open)), created: false, replayed: false };
    }
    const now = d.clock.now();
    const row: SessionRow = {
      id: newId('vs'),
      tenant_id: input.tenantId,
      status: 'created',
      level: input.level,
      external_user_id: input.externalUserId ?? null,
      person_id: person?.person_id ?? null,
      sub: person?.sub ?? null,
      redirect_uri: input.redirectUri,
      return_to: input.returnTo ?? null,
      metadata: input.metadata ?? null,
      locale: input.locale ?? null,
      case_id: null,
      document_type: null,
      issuing_country: null,
      staged: null,
      attempts: 0,
      outcome: null,
      reasons: null,
      browser_hash: null,
      idempotency_key: input.idempotencyKey ?? null,
      request_hash: input.idempotencyKey ? reqHash : null,
      expires_at: new Date(now.getTime() + LINK_TTL_MS),
      livemode,
      created_at: now,
      updated_at: now,
    };
    try {
      return await d.db.transaction(async (trx) => {
        await sessionStore.insert(trx, row);
        await emitEvent(trx, { tenantId: row.tenant_id, type: 'verification.session.created', data: sessionEvent(row), at: now, livemode });
        return { ...(await issueLink(trx, row, now)), created: true, replayed: false };
      });
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
      // A race with the same Idempotency-Key, or with another create for the same external user and level.
      const winner =
        (input.idempotencyKey && (await sessionStore.findByIdempotencyKey(d.db, input.tenantId, input.idempotencyKey, livemode))) ||
        (input.externalUserId && (await sessionStore.findOpen(d.db, input.tenantId, input.externalUserId, input.level, livemode)));
      if (!winner) throw err;
      return { ...(await withLink(winner)), created: false, replayed: Boolean(input.idempotencyKey && winner.idempotency_key === input.idempotencyKey) };
    }
  }

  /** An unfinished session gets a fresh link; others none. */
  async function withLink(row: SessionRow): Promise<Issued> {
    if (!isActive(row.status)) return { row, url: null };
    return issueLink(d.db, row, d.clock.now());
  }

  async function get(tenantId: string, id: string, livemode = true): Promise<Issued> {
    const row = await sessionStore.find(d.db, tenantId, id, livemode);
    if (!row) throw new NotFoundError('Verification session');
    return withLink(row);
  }

  async function list(q: { tenantId: string; status?: SessionStatus; externalUserId?: string; limit: number; cursor?: string; livemode?: boolean }) {
    const after = q.cursor ? cursor.decode(q.cursor) : undefined;
    const rows = await sessionStore.list(d.db, { tenantId: q.tenantId, livemode: q.livemode ?? true, status: q.status, externalUserId: q.externalUserId, limit: q.limit + 1, after });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return { rows: page, nextCursor: rows.length > q.limit && last ? cursor.encode(last) : null };
  }

  async function cancel(tenantId: string, id: string, livemode = true): Promise<SessionRow> {
    const found = await sessionStore.find(d.db, tenantId, id, livemode);
    if (!found) throw new NotFoundError('Verification session');
    const row = await locked(id, async (trx, row) => {
      if (row.status === 'canceled') return row;
      if (!isActive(row.status)) throw new ConflictError('session_closed', `The session is ${row.status}; only a session the person has not finished can be canceled.`);
      return move(trx, row, 'verification.session.canceled', { status: 'canceled', staged: null }, d.clock.now());
    });
    // Photos taken so far never reach a case: they go with the session.
    await d.uploads.removeCase(id);
    return row;
  }

  /** Expires sessions whose newest link ran out while the person could still act (jobs.ts, every minute). */
  async function expireDue(limit = 500): Promise<{ expired: number }> {
    const now = d.clock.now();
    let expired = 0;
    for (const { id } of await sessionStore.dueForExpiry(d.db, now, ACTIVE, limit)) {
      await locked(id, async (trx, row) => {
        if (!isActive(row.status) || row.expires_at > now) return;
        await move(trx, row, 'verification.session.expired', { status: 'expired', staged: null }, now);
        expired++;
      });
      await d.uploads.removeCase(id);
    }
    return { expired };
  }

  /** Decides attempts whose background decision never ran (the process stopped mid-way); jobs.ts, every minute. */
  async function resumeStuck(limit = 50): Promise<{ resumed: number }> {
    let resumed = 0;
    for (const { id } of await stuckProcessing(d.db, new Date(d.clock.now().getTime() - STUCK_AFTER_MS), limit)) {
      await processSubmitted(id).then(
        () => resumed++,
        () => undefined, // logged there; the session is back to capture
      );
    }
    return { resumed };
  }

  // --- The hosted flow's side (src/hosted/): links, the browser binding, the person, captures. ---

  /** Uses a link: binds the session to this browser (its secret goes in a cookie). */
  async function openLink(token: string): Promise<{ row: SessionRow; browserSecret: string } | { problem: LinkProblem; row?: SessionRow }> {
    if (!TOKEN_SHAPE.test(token)) return { problem: 'unknown' };
    const now = d.clock.now();
    const tokenHash = hash(token);
    const sessionId = await linkStore.consume(d.db, tokenHash, now);
    if (!sessionId) {
      const link = await linkStore.find(d.db, tokenHash);
      if (!link) return { problem: 'unknown' };
      const row = await sessionStore.findById(d.db, link.session_id);
      return { problem: link.used_at ? 'used' : 'expired', ...(row ? { row } : {}) };
    }
    const browserSecret = crypto.randomBytes(32).toString('base64url');
    return locked(sessionId, async (trx, row) => {
      if (!isActive(row.status)) return { problem: row.status === 'expired' ? ('expired' as const) : ('finished' as const), row };
      await sessionStore.update(trx, row.id, { browser_hash: hash(browserSecret), updated_at: now });
      return { row: { ...row, browser_hash: hash(browserSecret), updated_at: now }, browserSecret };
    });
  }

  /** The session this browser opened (its cookie's secret), or undefined. */
  async function forBrowser(id: string, browserSecret: string | undefined): Promise<SessionRow | undefined> {
    if (!browserSecret || !/^vs_[\w-]+$/.test(id)) return undefined;
    const row = await sessionStore.findById(d.db, id);
    if (!row?.browser_hash) return undefined;
    return sameSecret(hash(browserSecret), row.browser_hash) ? row : undefined;
  }

  /** The signed-in person takes the session: from now on the tenant knows them by their pairwise subject. */
  async function start(id: string, personId: string): Promise<SessionRow> {
    const row0 = await sessionStore.findById(d.db, id);
    if (!row0) throw new NotFoundError('Verification session');
    await d.recordSubject(row0.tenant_id, personId);
    return locked(id, async (trx, row) => {
      if (row.person_id && row.person_id !== personId) throw new ForbiddenError('This verification was started for another person; sign in as that person.');
      if (!isActive(row.status)) throw new ConflictError('session_closed', `The session is ${row.status}.`);
      const sub = d.pairwise(row.tenant_id, personId);
      if (row.status !== 'created') return row.person_id ? row : { ...row, person_id: personId, sub };
      return move(trx, row, 'verification.session.started', { status: 'in_progress', person_id: personId, sub }, d.clock.now());
    });
  }

  /**
   * This attempt's open case (a new one when there is none). One case per attempt: the case of an attempt that
   * asked for a retake is closed as superseded by the new one, which continues its attempt count (cases/retake.ts
   * decides when capture problems stop being a retake, for the case and so for the session).
   */
  async function attemptCase(row: SessionRow): Promise<string> {
    if (!row.sub) throw new ConflictError('not_started', 'Sign in before capturing.');
    const previous = row.case_id ? (await d.cases.get(row.tenant_id, row.case_id, row.livemode)).row : undefined;
    if (previous?.status === 'open') return previous.id;
    const { row: c } = await d.cases.create({ tenantId: row.tenant_id, personId: row.sub, level: row.level, livemode: row.livemode, priorAttempts: row.attempts });
    await sessionStore.update(d.db, row.id, { case_id: c.id, updated_at: d.clock.now() });
    if (previous?.status === 'resubmission_requested') await d.cases.supersede(previous.tenant_id, previous.id, c.id);
    return c.id;
  }

  /** t3: the head-turn challenge of this attempt's case. */
  async function challenge(row: SessionRow) {
    return d.cases.challenge(row.tenant_id, await attemptCase(row), row.livemode);
  }

  /** Stores the attempt's images through the case (bad images are the case API's 4xx), then marks it processing. */
  async function submit(id: string, body: UploadBody): Promise<SessionRow> {
    const row = await sessionStore.findById(d.db, id);
    if (!row || !isActive(row.status) || row.status === 'created') throw new ConflictError('session_closed', 'This verification takes no captures now.');
    const caseId = await attemptCase(row);
    await d.cases.upload(await d.cases.openForUpload(row.tenant_id, caseId, row.livemode), body);
    return locked(id, (trx, r) => {
      if (!isActive(r.status)) throw new ConflictError('session_closed', `The session is ${r.status}.`);
      return move(trx, r, 'verification.session.submitted', { status: 'processing', case_id: caseId, attempts: r.attempts + 1, outcome: null, reasons: null }, d.clock.now());
    });
  }

  /** Decides the submitted attempt; the outcome lands through onCaseOutcome. A failure puts the session back to capture. */
  async function processSubmitted(id: string): Promise<SessionRow> {
    const row = await sessionStore.findById(d.db, id);
    if (row?.status !== 'processing' || !row.case_id) throw new ConflictError('not_processing', 'Nothing to process.');
    try {
      await d.cases.decide(row.tenant_id, row.case_id, row.livemode);
    } catch (err) {
      log.warn('verification session: deciding the attempt failed', { session_id: id, err: err instanceof Error ? err.message : String(err) });
      await locked(id, async (trx, r) => {
        if (r.status === 'processing') await sessionStore.update(trx, r.id, { status: 'in_progress', attempts: Math.max(0, r.attempts - 1), updated_at: d.clock.now() });
      });
      throw err;
    }
    return (await sessionStore.findById(d.db, id))!;
  }

  /** Called inside a case's decision or review transaction: the session follows its attempt's outcome. */
  async function onCaseOutcome(trx: Trx, c: { id: string; outcome: Outcome; reasons: readonly Reason[]; reviewed: boolean; resubmit?: boolean }): Promise<void> {
    const row = await sessionStore.findByCase(trx, c.id);
    if (!row || (row.status !== 'processing' && row.status !== 'manual_review')) return;
    const now = d.clock.now();
    const codes = c.reasons.map((r) => r.code);
    // The case asked for a retake (automated, or a reviewer's request) with attempts left: back to the person.
    if (c.outcome === 'resubmission_requested') {
      const fix = retakeCodes(c.reasons);
      await move(trx, row, 'verification.session.resubmission_requested', { status: 'resubmission_requested', outcome: null, reasons: fix, document_type: null }, now, { reasons: fix, attempts_left: Math.max(0, MAX_ATTEMPTS - row.attempts) });
      return;
    }
    const outcome = c.outcome;
    const status: SessionStatus = outcome === 'approved' ? 'verified' : outcome === 'rejected' ? 'rejected' : 'manual_review';
    await move(trx, row, 'verification.session.completed', { status, outcome, reasons: codes }, now, { outcome, reasons: codes });
  }

  /**
   * Step-up inside sign-in: a session for a person already signed in, bound to this browser and started, that
   * ends at `returnTo` (the interaction) instead of a tenant redirect_uri.
   */
  async function openForPerson(input: { tenantId: string; personId: string; level: Level; returnTo: string; locale?: string; livemode?: boolean }): Promise<{ row: SessionRow; browserSecret: string }> {
    await d.recordSubject(input.tenantId, input.personId);
    const { row } = await create({
      tenantId: input.tenantId,
      level: input.level,
      personId: d.pairwise(input.tenantId, input.personId),
      redirectUri: input.returnTo,
      returnTo: input.returnTo,
      ...(input.locale ? { locale: input.locale } : {}),
      livemode: input.livemode ?? true,
    });
    const browserSecret = crypto.randomBytes(32).toString('base64url');
    await sessionStore.update(d.db, row.id, { browser_hash: hash(browserSecret), updated_at: d.clock.now() });
    return { row: await start(row.id, input.personId), browserSecret };
  }

  const staging = captures(d);

  /** The hosted flow's last step: the staged photos become the attempt's case upload. */
  async function submitStaged(id: string): Promise<SessionRow> {
    const row = await sessionStore.findById(d.db, id);
    if (!row) throw new NotFoundError('Verification session');
    const next = await submit(id, await staging.body(row));
    await staging.clear(row);
    return next;
  }

  const byId = (id: string) => sessionStore.findById(d.db, id);

  async function clearStaged(id: string): Promise<void> {
    const row = await sessionStore.findById(d.db, id);
    if (row) await staging.clear(row);
  }

  /** Erasure: every staged photo of the person's sessions goes; returns how many sessions held some. */
  async function clearStagedOf(personId: string): Promise<number> {
    const rows = await stagedOf(d.db, personId);
    for (const r of rows) await clearStaged(r.id);
    return rows.length;
  }

  return {
    create, get, list, cancel, expireDue, resumeStuck, openLink, forBrowser, start, challenge, submit, processSubmitted, onCaseOutcome,
    openForPerson, byId,
    choose: (id: string, c: { documentType: DocumentType; country: string }) => staging.choose(id, c),
    stage: (id: string, field: StageField, files: Buffer[]) => staging.stage(id, field, files),
    submitStaged, clearStaged, clearStagedOf,
  };
}
