// Where a case's progress lands by its mode: a live case moves the person's reusable assurance; a test-mode case
// (a test key's) moves only its tenant's test assurance of the person (assurance/test-mode.ts).
import type { AssuranceChange } from '../../assurance/lifecycle.js';
import { applyTestAssurance } from '../../assurance/test-mode.js';
import type { Trx } from '../../db/index.js';
import type { CaseContext } from './context.js';
import type { CaseRow } from './store.js';

export function moveAssurance(trx: Trx, ctx: CaseContext, row: Pick<CaseRow, 'livemode' | 'tenant_id' | 'person_id' | 'sub'>, change: AssuranceChange, now: Date, reason: string): Promise<boolean> {
  return row.livemode
    ? ctx.assurance.apply(trx, row.person_id, change, now, reason)
    : applyTestAssurance(trx, row.tenant_id, { id: row.person_id, sub: row.sub }, change, now, reason);
}
