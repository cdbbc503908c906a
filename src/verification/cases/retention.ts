// Retention: uploaded images and the sealed extraction of a case are deleted DOCUMENT_RETENTION_DAYS after the
// case's final decision (a review, else the automated decision; never-decided cases count from the last upload).
// The case row, its masked extraction and the decision stay as the audit record.
import type { Deps } from '../../deps.js';
import { log } from '../../log.js';
import type { UploadStore } from './files.js';
import { redactExtraction } from './extraction.js';
import { caseStore, fileStore } from './store.js';

const DAY_MS = 86_400_000;
const BATCH = 100;

export async function purgeExpiredUploads(deps: Deps, uploads: UploadStore): Promise<{ purged: number }> {
  const now = deps.clock.now();
  const before = new Date(now.getTime() - deps.config.documentRetentionDays * DAY_MS);
  let purged = 0;
  for (;;) {
    const due = await caseStore.dueForPurge(deps.db.knex, before, BATCH);
    for (const { id } of due) {
      // Files first: if the row update then fails, the next sweep repeats a harmless delete.
      await uploads.removeCase(id);
      await deps.db.knex.transaction(async (trx) => {
        const row = await caseStore.findById(trx, id);
        await fileStore.deleteForCase(trx, id);
        await caseStore.update(trx, id, { private_enc: null, extraction: redactExtraction(row?.extraction ?? null), purged_at: now, updated_at: now });
      });
      purged++;
    }
    if (due.length < BATCH) return { purged };
  }
}

export interface RetentionSweeper {
  /** One sweep now (also what the timer runs). */
  sweep(): Promise<{ purged: number }>;
  stop(): void;
}

export function startRetentionSweeper(deps: Deps, uploads: UploadStore, opts: { intervalMs?: number } = {}): RetentionSweeper {
  let running: Promise<{ purged: number }> | undefined;
  const sweep = () =>
    (running ??= purgeExpiredUploads(deps, uploads)
      .then((r) => {
        if (r.purged) log.info('verification uploads purged', { cases: r.purged, retention_days: deps.config.documentRetentionDays });
        return r;
      })
      .finally(() => (running = undefined)));
  const timer = setInterval(() => sweep().catch((err) => log.warn('retention sweep failed', { err: String(err) })), opts.intervalMs ?? 3_600_000);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
