// Signing keys (Ed25519 JWKs, one file each in KEYS_DIR) and the instance secret.
// Newest key signs; older keys stay in the JWKS so tokens they signed verify until they expire.
import fs from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Config } from '../config.js';
import { readInstanceSecret, writeInstanceSecret } from '../crypto/keys.js';

export interface StoredKey {
  kid: string;
  created_at: string;
  jwk: JWK & { kid: string; alg: 'EdDSA'; use: 'sig' };
}

export interface KeyMaterial {
  /** Private JWKs, newest first (oidc-provider signs with the first that fits). */
  signingKeys: StoredKey['jwk'][];
  /** Instance secret: cookie keys, pairwise subjects and at-rest encryption are derived from it. */
  secret: string;
}

export class KeysError extends Error {}

const KEY_FILE = /^signing-.+\.jwk\.json$/;

export async function generateSigningKey(dir: string): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  const stored: StoredKey = {
    kid,
    created_at: new Date().toISOString(),
    jwk: { ...jwk, kid, alg: 'EdDSA', use: 'sig' },
  };
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = stored.created_at.replace(/[:.]/g, '-');
  fs.writeFileSync(path.join(dir, `signing-${stamp}-${kid.slice(0, 8)}.jwk.json`), `${JSON.stringify(stored, null, 2)}\n`, {
    mode: 0o600,
    flag: 'wx',
  });
  return stored;
}

export function readSigningKeys(dir: string): StoredKey[] {
  if (!fs.existsSync(dir)) return [];
  const keys = fs
    .readdirSync(dir)
    .filter((f) => KEY_FILE.test(f))
    .map((f) => {
      const parsed = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as StoredKey;
      if (parsed.jwk?.kty !== 'OKP' || parsed.jwk.crv !== 'Ed25519' || !parsed.jwk.d) {
        throw new KeysError(`${f}: not an Ed25519 private JWK`);
      }
      return parsed;
    });
  return keys.sort((a, b) => b.created_at.localeCompare(a.created_at));
}

/** Loads keys; outside production generates what is missing. In production missing keys are an error. */
export async function loadKeyMaterial(config: Pick<Config, 'keysDir' | 'isProduction' | 'secretKey'>): Promise<KeyMaterial & { generated: string[] }> {
  const generated: string[] = [];
  let keys = readSigningKeys(config.keysDir);
  if (keys.length === 0) {
    if (config.isProduction) {
      throw new KeysError(`No signing keys in ${config.keysDir}. Create one with \`kycport keys rotate\` before starting in production.`);
    }
    keys = [await generateSigningKey(config.keysDir)];
    generated.push(`signing key ${keys[0]!.kid}`);
  }
  let secret = readInstanceSecret(config);
  if (!secret) {
    if (config.isProduction) throw new KeysError('SECRET_KEY is required in production.');
    writeInstanceSecret(config.keysDir);
    generated.push('instance secret');
    secret = readInstanceSecret(config)!;
  }
  return { signingKeys: keys.map((k) => k.jwk), secret, generated };
}
