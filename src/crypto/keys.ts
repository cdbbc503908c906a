// The instance secret and the keys derived from it once at start-up. SECRET_KEY, else KEYS_DIR/secret.key
// (generated outside production by loadKeyMaterial); every other key is derived per purpose (derive.ts).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { deriveKey, parseKey } from './derive.js';

const SECRET_FILE = 'secret.key';

type SecretConfig = Pick<Config, 'secretKey' | 'keysDir'>;

/** The instance secret, or undefined when neither SECRET_KEY nor the secret file exists. */
export function readInstanceSecret(config: SecretConfig): string | undefined {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.keysDir, SECRET_FILE);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined;
}

/** For processes that must not create one (the webhook worker): the server or SECRET_KEY provides it. */
export function requireInstanceSecret(config: SecretConfig): string {
  const secret = readInstanceSecret(config);
  if (!secret) throw new Error('SECRET_KEY is not set and KEYS_DIR has no secret.key: sealed secrets cannot be opened');
  return secret;
}

/** Writes a fresh random secret file (development); fails if one exists. */
export function writeInstanceSecret(keysDir: string): void {
  fs.mkdirSync(keysDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(keysDir, SECRET_FILE), `${crypto.randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
}

/** Keys for verification data at rest: uploads and sealed case data, and document fingerprints. */
export interface CaseKeys {
  encryption: Buffer;
  fingerprint: Buffer;
}

/** DOCUMENT_ENCRYPTION_KEY when configured, else derived from the instance secret. */
export function caseKeys(config: Pick<Config, 'documentEncryptionKey'>, secret: string): CaseKeys {
  return {
    encryption: config.documentEncryptionKey ? parseKey(config.documentEncryptionKey, 'DOCUMENT_ENCRYPTION_KEY') : deriveKey(secret, 'document-encryption'),
    fingerprint: deriveKey(secret, 'document-fingerprint'),
  };
}

/** The key that seals webhook endpoints' signing secrets in the database. */
export const webhookSecretsKey = (secret: string): Buffer => deriveKey(secret, 'webhook-secrets');

/** oidc-provider artifacts at rest (oidc/adapters/artifacts.ts): ids stored as keyed hashes, payloads sealed. */
export interface OidcArtifactKeys {
  id: Buffer;
  payload: Buffer;
}

export const oidcArtifactKeys = (secret: string): OidcArtifactKeys => ({
  id: deriveKey(secret, 'oidc-artifact-id'),
  payload: deriveKey(secret, 'oidc-artifact-payload'),
});
