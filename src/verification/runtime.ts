// Everything the verification API needs besides Deps: the engine worker pool (created on first use, so
// processes that never verify don't load models), the screening index, 1:N face dedup, the encrypted upload
// store, keys, and the retention sweeper.
import type { Knex } from 'knex';
import type { Deps } from '../deps.js';
import { log } from '../log.js';
import { listLists, ScreeningIndexHolder } from '../screening/index.js';
import type { ScreeningIndex } from '../screening/index.js';
import { caseKeys, type CaseKeys } from '../crypto/keys.js';
import { UploadStore } from './cases/files.js';
import { startRetentionSweeper, type RetentionSweeper } from './cases/retention.js';
import { createFaceDedup, type FaceDedup } from './dedup-adapter.js';
import type { AnalyzeInput, DocumentAnalysis } from './engine/document/analyze.js';
import type { FaceAnalysis, FaceAnalysisInput } from './engine/face/analyze.js';
import { createEnginePool, EngineTaskError, EngineWorkerCrashedError, type EnginePool } from './engine/pool.js';
import { ApiError } from '../http/errors.js';

export interface VerificationEngines {
  analyzeDocument(input: AnalyzeInput): Promise<DocumentAnalysis>;
  analyzeFaces(input: FaceAnalysisInput): Promise<FaceAnalysis>;
}

export interface VerificationRuntime {
  db: Knex;
  engines: VerificationEngines;
  dedup: FaceDedup;
  uploads: UploadStore;
  keys: CaseKeys;
  /** The current screening index, rebuilt when the stored lists changed (imports by the CLI or another process). */
  screeningIndex(): Promise<ScreeningIndex>;
  /** Starts the engine workers and loads indexes now instead of on the first request. */
  warmup(): Promise<void>;
  startSweeper(opts?: { intervalMs?: number }): RetentionSweeper;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Instance secret (KeyMaterial.secret): derives the at-rest and fingerprint keys when not configured. */
  secret: string;
  /** Engine worker threads; defaults to config.verification.workers (at least 1). */
  workers?: number;
  /** Replaces the worker pool (e.g. a pool shared by several test servers). Not closed by close(). */
  engines?: VerificationEngines;
}

export function createVerificationRuntime(deps: Deps, opts: RuntimeOptions): VerificationRuntime {
  const keys = caseKeys(deps.config, opts.secret);
  const uploads = UploadStore.under(deps.config.dataDir, keys.encryption);
  const dedup = createFaceDedup(deps.db);
  const holder = new ScreeningIndexHolder(deps.db);
  let pool: EnginePool | undefined;
  let signature: string | undefined;
  let refreshing: Promise<ScreeningIndex> | undefined;
  const sweepers: RetentionSweeper[] = [];

  const getPool = (): EnginePool => (pool ??= createEnginePool({
    size: Math.max(1, opts.workers ?? deps.config.verification.workers),
    busyShare: deps.config.verification.busyShare,
  }));
  const engines: VerificationEngines = opts.engines ?? {
    analyzeDocument: (input) => engineCall(async () => (await getPool().run({ kind: 'document', input })) as DocumentAnalysis),
    analyzeFaces: (input) => engineCall(() => getPool().run({ kind: 'faces', input })),
  };

  async function screeningIndex(): Promise<ScreeningIndex> {
    const lists = await listLists(deps.db.knex);
    const sig = lists.map((l) => `${l.id}:${l.sourceFileSha256}:${l.importedAt.getTime()}`).sort().join(',');
    if (sig !== signature) {
      refreshing ??= holder.refresh().finally(() => (refreshing = undefined));
      await refreshing;
      signature = sig;
    }
    return holder.get();
  }

  return {
    db: deps.db.knex,
    engines,
    dedup,
    uploads,
    keys,
    screeningIndex,
    async warmup() {
      await Promise.all([opts.engines ? undefined : getPool().ready, screeningIndex(), dedup.load()]);
    },
    startSweeper(o = {}) {
      const s = startRetentionSweeper(deps, uploads, o);
      sweepers.push(s);
      return s;
    },
    async close() {
      for (const s of sweepers.splice(0)) s.stop();
      const p = pool;
      pool = undefined;
      await p?.close().catch((err: unknown) => log.warn('engine pool close failed', { err: String(err) }));
    },
  };
}

/** Engine failures as API errors: a crashed worker is retryable (503), an engine refusing the input is a 422. */
async function engineCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EngineWorkerCrashedError) throw new ApiError(503, 'engine_unavailable', 'The verification engine restarted; retry the request.', undefined, { 'Retry-After': '5' });
    if (err instanceof EngineTaskError) throw new ApiError(422, 'analysis_failed', 'The images could not be analysed.');
    throw err;
  }
}
