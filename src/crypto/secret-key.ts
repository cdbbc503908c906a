// Node checks a raw Buffer key on every HMAC or cipher it builds by probing it as a KeyObject and a CryptoKey
// first, which costs ≈ 13 µs a call on Node 24 (bench/RESULTS.md); a KeyObject skips the probe. Keys live for the
// process, so each Buffer key is turned into its KeyObject once.
import crypto from 'node:crypto';

const objects = new WeakMap<Buffer, crypto.KeyObject>();

export function secretKey(key: Buffer): crypto.KeyObject {
  let object = objects.get(key);
  if (!object) objects.set(key, (object = crypto.createSecretKey(key)));
  return object;
}
