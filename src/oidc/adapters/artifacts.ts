// How both adapters keep oidc-provider's artifacts at rest. An artifact's id is often the bearer value itself (a
// refresh token, an authorization code, a session cookie), and its payload repeats it (`jti`; an interaction holds
// its session's cookie value), so the store sees neither: the id only as a keyed hash (HMAC-SHA256 with a subkey
// of the instance secret, crypto/keys.ts), the payload sealed (AES-256-GCM, bound to the model and hashed id).
// Lookups hash what they are given (an id, uid, user code or grant id) and find the same row; without the key, a
// copy of the database or of Redis yields no usable token.
import type { AdapterPayload } from 'oidc-provider';
import { keyedHash } from '../../crypto/hash.js';
import type { OidcArtifactKeys } from '../../crypto/keys.js';
import { open, seal } from '../../crypto/seal.js';
import { StoredDataError } from '../../db/codec.js';

export interface ArtifactCodec {
  /** The stored id of an artifact of `model`. */
  ref(model: string, id: string): string;
  /** The stored form of a lookup value: a session's uid, a device flow's user code, a grant id. */
  index(kind: 'uid' | 'user_code' | 'grant', value: string): string;
  seal(model: string, ref: string, payload: AdapterPayload): string;
  open(model: string, ref: string, sealed: string): AdapterPayload;
}

/** Sessions and grants are indexed by account in both stores, so a password reset can end them (oidc/revoke.ts). */
export const ACCOUNT_INDEXED = new Set(['Session', 'Grant']);

/** The ids of the sessions and grants of an account, from whichever store holds oidc-provider's artifacts. */
export interface AccountArtifacts {
  list(accountId: string): Promise<{ sessions: string[]; grants: string[] }>;
}

export function artifactCodec(keys: OidcArtifactKeys): ArtifactCodec {
  const aad = (model: string, ref: string) => `oidc:${model}:${ref}`;
  return {
    ref: (model, id) => keyedHash(keys.id, `${model}:${id}`),
    index: (kind, value) => keyedHash(keys.id, `${kind}:${value}`),
    seal: (model, ref, payload) => seal(keys.payload, Buffer.from(JSON.stringify(payload)), aad(model, ref)).toString('base64'),
    open(model, ref, sealed) {
      const value: unknown = JSON.parse(open(keys.payload, Buffer.from(sealed, 'base64'), aad(model, ref)).toString('utf8'));
      // oidc-provider owns the shape (and checks it); only "is an object" is ours to check.
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new StoredDataError(`oidc ${model} payload is not a JSON object`);
      return value as AdapterPayload;
    },
  };
}
