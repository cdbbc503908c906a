// Reading a person's assurance as one tenant sees it.
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/index.js';
import { NotFoundError } from '../http/errors.js';
import { personStore } from '../persons/store.js';
import { effectiveAssurance, type Assurance } from './model.js';
import { assuranceStore } from './store.js';

export async function assuranceForPerson(db: Queryable, clock: Clock, personId: string): Promise<Assurance> {
  return effectiveAssurance(await assuranceStore.find(db, personId), clock.now());
}

/** The tenant's view: `personId` is the tenant's pairwise subject; unknown and foreign ids are both 404. */
export async function statusForTenant(
  db: Queryable,
  clock: Clock,
  tenantId: string,
  subjectId: string,
): Promise<Assurance & { person_id: string }> {
  const subject = await personStore.findSubject(db, tenantId, subjectId);
  if (!subject) throw new NotFoundError('Person');
  const a = await assuranceForPerson(db, clock, subject.person_id);
  return { person_id: subject.sub, ...a };
}
