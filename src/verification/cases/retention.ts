// Retention: uploaded images and the sealed extraction of a case are deleted DOCUMENT_RETENTION_DAYS after the
// case's final decision (a review, else the automated decision; never-decided cases count from the last upload).
// The case row, its masked extraction and the decision stay as the audit record.
import type { CaseContext } from './context.js';
import { redactExtraction } from './extraction.js';
import { caseStore, fileStore } from './store.js';

const DAY_MS = 86_400_000;
const BATCH = 100;

export async function purgeExpiredUploads(ctx: Pick<CaseContext, 'db' | 'clock' | 'uploads' | 'retentionDays'>): Promise<{ purged: number }> {
  const now = ctx.clock.now();
  const before = new Date(now.getTime() - ctx.retentionDays * DAY_MS);
  let purged = 0;
  for (;;) {
    const due = await caseStore.dueForPurge(ctx.db, before, BATCH);
    for (const { id } of due) {
      // Files first: if the row update then fails, the next sweep repeats a harmless delete.
      await ctx.uploads.removeCase(id);
      await ctx.db.transaction(async (trx) => {
        const row = await caseStore.findById(trx, id);
        await fileStore.deleteForCase(trx, id);
        await caseStore.update(trx, id, { private_enc: null, extraction: redactExtraction(row?.extraction ?? null), purged_at: now, updated_at: now });
      });
      purged++;
    }
    if (due.length < BATCH) return { purged };
  }
}
