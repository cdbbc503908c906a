// Reading a person's assurance as one tenant sees it.
import type { Clock } from '../clock.js';
import { NotFoundError } from '../http/errors.js';
import { effectiveAssurance, type Assurance } from './model.js';
import type { StatusCache } from './cache.js';
import { andThen, type MaybePromise } from '../sync.js';

/**
 * The tenant's view: `personId` is the tenant's pairwise subject; unknown and foreign ids are both 404.
 * Synchronous on a cache hit (the status API's hot path).
 */
export function statusForTenant(
  cache: StatusCache,
  clock: Clock,
  tenantId: string,
  subjectId: string,
): MaybePromise<Assurance & { person_id: string }> {
  return andThen(cache.find(tenantId, subjectId), (row) => {
    if (!row) throw new NotFoundError('Person');
    return { person_id: row.sub, ...effectiveAssurance(row.status ? row : undefined, clock.now()) };
  });
}
