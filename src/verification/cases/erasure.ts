// The cases' part of a person's erasure and export (src/privacy/ calls these). Erasure keeps each decided case as
// its decision record (outcome, checks, reasons, dates, the tenant's masked extraction) and deletes, inside the
// caller's transaction: the file rows, the sealed private extraction (names, raw number, face descriptor), the
// liveness challenge and the document fingerprint. A case still open has no decision to keep and goes whole.
// The sealed image files on disk are removed by the caller (UploadStore.removeCase) before and after the commit.
import type { Queryable } from '../../db/index.js';
import { redactExtraction } from './extraction.js';
import { caseStore, fileStore, type CaseRow, type FileRow } from './store.js';

export interface PersonCases {
  cases: CaseRow[];
  files: FileRow[];
}

/** Every case of the person and the rows of their stored files. */
export async function casesOfPerson(db: Queryable, personId: string): Promise<PersonCases> {
  const cases = await caseStore.forPerson(db, personId);
  return { cases, files: await fileStore.forCases(db, cases.map((c) => c.id)) };
}

/** The latest final approval of the person (what backs a verified assurance), or undefined. */
export const backingCase = (db: Queryable, personId: string) => caseStore.latestApprovedFull(db, personId);

/** Inside `trx`: strips the person's cases down to decision records. Returns every case id (for the disk). */
export async function eraseCasesOf(trx: Queryable, personId: string, now: Date): Promise<{ caseIds: string[]; kept: number; deleted: number; files: number }> {
  const { cases, files } = await casesOfPerson(trx, personId);
  let kept = 0;
  for (const c of cases) {
    await fileStore.deleteForCase(trx, c.id);
    if (c.status === 'open') {
      await caseStore.delete(trx, c.id);
      continue;
    }
    await caseStore.update(trx, c.id, {
      private_enc: null,
      challenge: null,
      document_fingerprint: null,
      extraction: redactExtraction(c.extraction),
      purged_at: c.purged_at ?? now,
      erased_at: now,
      updated_at: now,
    });
    kept++;
  }
  return { caseIds: cases.map((c) => c.id), kept, deleted: cases.length - kept, files: files.length };
}

/** Deletes decision records of erased persons kept since before `before`; returns how many went. */
export async function purgeErasedRecords(db: Queryable, before: Date, batch = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await caseStore.deleteErasedBefore(db, before, batch);
    total += n;
    if (n < batch) return total;
  }
}
