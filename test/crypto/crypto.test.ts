// The one crypto module: key derivation, sealing (blob and box encodings) and fingerprints. The fixture holds
// values sealed by the code that existed before this module (see its note): they must keep opening.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deriveKey, parseKey } from '../../src/crypto/derive.js';
import { documentFingerprint, keyedHash } from '../../src/crypto/hash.js';
import { caseKeys, readInstanceSecret, requireInstanceSecret, webhookSecretsKey, writeInstanceSecret } from '../../src/crypto/keys.js';
import { open, openJson, seal, sealJson, secretBox, SealError } from '../../src/crypto/seal.js';
import { makePairwise } from '../../src/persons/subjects.js';
import { openPrivate, privateAad } from '../../src/verification/cases/sealed.js';

const fixture = JSON.parse(fs.readFileSync(new URL('../fixtures/crypto/sealed-before-crypto-module.json', import.meta.url), 'utf8')) as {
  instance_secret: string;
  document_encryption_key_hex: string;
  derived_keys_base64url: Record<string, string>;
  upload_file: { aad: string; plain_base64: string; sealed_base64: string };
  private_case_data: { aad: string; value: unknown; sealed: string };
  webhook_secret: { bound_to: string; plain: string; sealed: string };
  document_fingerprint: { document: { type: string; issuingState: string; number: string }; fingerprint: string };
  pairwise_subject: { tenant_id: string; person_id: string; sub: string };
};
const secret = fixture.instance_secret;
const derived = caseKeys({ documentEncryptionKey: undefined }, secret);
const configured = caseKeys({ documentEncryptionKey: fixture.document_encryption_key_hex }, secret);

describe('values stored before the crypto module', () => {
  it('derive the same purpose keys', () => {
    for (const [purpose, key] of Object.entries(fixture.derived_keys_base64url)) {
      expect(deriveKey(secret, purpose).toString('base64url'), purpose).toBe(key);
    }
  });

  it('open: an upload file, sealed case data, a webhook secret', () => {
    const f = fixture.upload_file;
    expect(open(derived.encryption, Buffer.from(f.sealed_base64, 'base64'), f.aad)).toEqual(Buffer.from(f.plain_base64, 'base64'));
    const p = fixture.private_case_data;
    const caseId = p.aad.replace(/^case-private:/, '');
    expect(privateAad(caseId)).toBe(p.aad);
    expect(openPrivate(configured.encryption, caseId, p.sealed)).toEqual(p.value);
    const w = fixture.webhook_secret;
    expect(secretBox(webhookSecretsKey(secret)).open(w.sealed, w.bound_to)).toBe(w.plain);
  });

  it('fingerprint a document the same way', () => {
    const d = fixture.document_fingerprint;
    expect(documentFingerprint(derived.fingerprint, d.document)).toBe(d.fingerprint);
    // Punctuation and case don't change the identity of a document.
    expect(documentFingerprint(derived.fingerprint, { ...d.document, number: 'c01x-00t47' })).toBe(d.fingerprint);
  });

  // The fixture's stateless email-verification link is no longer honoured on purpose: it confirmed a password the
  // person opening it had not chosen (account pre-hijacking, test/security/account-prehijack.test.ts).
  it('give the same pairwise subjects', () => {
    const s = fixture.pairwise_subject;
    expect(makePairwise(deriveKey(secret, 'pairwise-subject'))(s.tenant_id, s.person_id)).toBe(s.sub);
  });
});

describe('seal and open', () => {
  const key = deriveKey('test secret', 'test');

  it('round-trip blobs and refuse another AAD, another key, tampering and a foreign format', () => {
    const blob = seal(key, Buffer.from('image bytes'), 'vc_1/vf_1.enc');
    expect(blob[0]).toBe(1);
    expect(open(key, blob, 'vc_1/vf_1.enc').toString()).toBe('image bytes');
    expect(() => open(key, blob, 'vc_2/vf_1.enc')).toThrow();
    expect(() => open(deriveKey('other', 'test'), blob, 'vc_1/vf_1.enc')).toThrow();
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => open(key, tampered, 'vc_1/vf_1.enc')).toThrow();
    expect(() => open(key, Buffer.concat([Buffer.from([2]), blob.subarray(1)]), 'vc_1/vf_1.enc')).toThrow(SealError);
    expect(() => open(key, blob.subarray(0, 20), 'vc_1/vf_1.enc')).toThrow(SealError);
  });

  it('decode sealed JSON with its schema, loudly when it does not match', () => {
    const sealed = sealJson(key, { n: 1 }, 'aad');
    expect(openJson(key, sealed, 'aad', z.object({ n: z.number() }))).toEqual({ n: 1 });
    expect(() => openJson(key, sealed, 'aad', z.object({ n: z.string() }))).toThrow(SealError);
  });

  it('box short secrets as printable text bound to their row', () => {
    const box = secretBox(key);
    const sealed = box.seal('whsec_abc', 'we_1');
    expect(sealed).toMatch(/^v1:[\w-]+$/);
    expect(box.seal('whsec_abc', 'we_1')).not.toBe(sealed);
    expect(box.open(sealed, 'we_1')).toBe('whsec_abc');
    expect(() => box.open(sealed, 'we_2')).toThrow();
    expect(() => box.open(`v2:${sealed.slice(3)}`, 'we_1')).toThrow(SealError);
  });
});

describe('keys', () => {
  it('parse a configured key as hex or base64 of 32 bytes, and nothing else', () => {
    const hex = fixture.document_encryption_key_hex;
    expect(parseKey(hex, 'K')).toEqual(Buffer.from(hex, 'hex'));
    expect(parseKey(Buffer.from(hex, 'hex').toString('base64'), 'K')).toEqual(Buffer.from(hex, 'hex'));
    expect(() => parseKey('abcd', 'DOCUMENT_ENCRYPTION_KEY')).toThrow(/DOCUMENT_ENCRYPTION_KEY must be 32 bytes/);
    expect(configured.encryption).toEqual(Buffer.from(hex, 'hex'));
    expect(derived.encryption).not.toEqual(derived.fingerprint);
  });

  it('read the instance secret from SECRET_KEY, else the secret file, and require one where asked', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-crypto-'));
    try {
      expect(readInstanceSecret({ secretKey: 's3cret', keysDir: dir })).toBe('s3cret');
      expect(readInstanceSecret({ secretKey: undefined, keysDir: dir })).toBeUndefined();
      expect(() => requireInstanceSecret({ secretKey: undefined, keysDir: dir })).toThrow(/SECRET_KEY/);
      writeInstanceSecret(dir);
      const fromFile = requireInstanceSecret({ secretKey: undefined, keysDir: dir });
      expect(fromFile).toMatch(/^[\w-]{43}$/);
      expect(() => writeInstanceSecret(dir)).toThrow();
      expect(readInstanceSecret({ secretKey: undefined, keysDir: dir })).toBe(fromFile);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hash with a key: same input and key, same hash; another key, another hash', () => {
    const a = deriveKey('s', 'a');
    expect(keyedHash(a, 'x')).toBe(keyedHash(a, 'x'));
    expect(keyedHash(a, 'x')).not.toBe(keyedHash(deriveKey('s', 'b'), 'x'));
    expect(keyedHash(a, 'x')).toMatch(/^[\w-]{43}$/);
  });
});
