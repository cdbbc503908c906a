// Wraps a storage adapter so that a Redis or database outage becomes OAuth's `temporarily_unavailable` with
// status 503 (JSON at the token endpoint, a friendly page in the browser via renderError), not a 500
// server_error with a stack trace per request. Other errors pass through unchanged.
import { errors, type Adapter, type AdapterConstructor, type AdapterPayload } from 'oidc-provider';
import { outageOf, outages } from '../../db/outage.js';

export function unavailableError(err: unknown): unknown {
  const dependency = outageOf(err);
  if (!dependency) return err;
  outages.refused(dependency, err);
  const e = new errors.TemporarilyUnavailable('the service cannot reach its storage at the moment; retry shortly', { cause: err });
  e.status = e.statusCode = 503;
  return e;
}

/** Runs `f`, turning an outage into `temporarily_unavailable` (503). */
export async function failFast<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw unavailableError(err);
  }
}

export function failFastAdapter(Inner: AdapterConstructor): (name: string) => Adapter {
  return (name) => {
    const a = new Inner(name);
    return {
      upsert: (id: string, payload: AdapterPayload, expiresIn: number) => failFast(() => a.upsert(id, payload, expiresIn)),
      find: (id: string) => failFast(() => a.find(id)),
      findByUid: (uid: string) => failFast(() => a.findByUid(uid)),
      findByUserCode: (code: string) => failFast(() => a.findByUserCode(code)),
      consume: (id: string) => failFast(() => a.consume(id)),
      destroy: (id: string) => failFast(() => a.destroy(id)),
      revokeByGrantId: (grantId: string) => failFast(() => a.revokeByGrantId(grantId)),
    };
  };
}
