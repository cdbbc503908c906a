// Our Ed25519 keys as oidc-provider ExternalSigningKeys (features.externalSigningSupport): the provider hands us
// the JWS signing input and we sign it with node:crypto's one-shot Ed25519, several times cheaper than jose
// importing the private JWK and signing through WebCrypto. Every code exchange signs twice (ID token and at+jwt
// access token), so it shows in the token endpoint (bench/RESULTS.md, Notes). The JWS itself is still built
// by oidc-provider; only the signature primitive is ours.
import crypto from 'node:crypto';
import { ExternalSigningKey } from 'oidc-provider';
import type { JWK } from 'jose';

/** oidc-provider's experimental-feature acknowledgement for externalSigningSupport (checked at start-up). */
export const EXTERNAL_SIGNING_ACK = 'experimental-01';

export class Ed25519SigningKey extends ExternalSigningKey {
  readonly #privateKey: crypto.KeyObject;
  readonly #publicKey: crypto.KeyObject;

  constructor(jwk: JWK & { kid: string }) {
    super();
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.d) throw new Error(`signing key ${jwk.kid} is not a private Ed25519 JWK`);
    this.#privateKey = crypto.createPrivateKey({ key: jwk as crypto.JsonWebKey, format: 'jwk' });
    this.#publicKey = crypto.createPublicKey(this.#privateKey);
    // kid and alg have setters on ExternalSigningKey; the public parameters come from keyObject().
    Object.assign(this, { kid: jwk.kid, alg: 'EdDSA' });
  }

  override keyObject(): crypto.KeyObject {
    return this.#publicKey;
  }

  override sign(data: Uint8Array): Uint8Array {
    return crypto.sign(null, data, this.#privateKey);
  }
}
