// Signing keys: generated in development, required in production, rotation keeps old tokens verifiable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compactVerify, importJWK } from 'jose';
import { generateSigningKey, KeysError, loadKeyMaterial } from '../../src/oidc/keys.js';
import { Ed25519SigningKey } from '../../src/oidc/signing-key.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'kp-keys-'));

describe('key material', () => {
  it('generates an Ed25519 key and a secret on first start outside production, then reuses them', async () => {
    const dir = tmp();
    const first = await loadKeyMaterial({ keysDir: dir, isProduction: false, secretKey: undefined });
    expect(first.generated).toHaveLength(2);
    expect(first.signingKeys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    const again = await loadKeyMaterial({ keysDir: dir, isProduction: false, secretKey: undefined });
    expect(again.generated).toHaveLength(0);
    expect(again.signingKeys[0]!.kid).toBe(first.signingKeys[0]!.kid);
    expect(again.secret).toBe(first.secret);
    expect(fs.statSync(path.join(dir, fs.readdirSync(dir)[0]!)).mode & 0o077).toBe(0);
  });

  it('refuses to start in production without keys', async () => {
    await expect(loadKeyMaterial({ keysDir: tmp(), isProduction: true, secretKey: 'x'.repeat(40) })).rejects.toBeInstanceOf(KeysError);
  });

  it('signs with the newest key and still publishes the previous one', async () => {
    const dir = tmp();
    const old = await generateSigningKey(dir);
    await new Promise((r) => setTimeout(r, 5));
    const current = await generateSigningKey(dir);
    const keys = await loadKeyMaterial({ keysDir: dir, isProduction: false, secretKey: 'x'.repeat(40) });
    expect(keys.signingKeys.map((k) => k.kid)).toEqual([current.kid, old.kid]);
  });
});

describe('Ed25519SigningKey (what oidc-provider signs with)', () => {
  it('signs JWS input that verifies against the published public key, and exposes no private part', async () => {
    const { jwk } = await generateSigningKey(tmp());
    const key = new Ed25519SigningKey(jwk);
    expect({ kid: key.kid, alg: key.alg, kty: key.kty, crv: key.crv, x: key.x, use: key.use }).toEqual({ kid: jwk.kid, alg: 'EdDSA', kty: 'OKP', crv: 'Ed25519', x: jwk.x, use: 'sig' });
    expect(key.keyObject().type).toBe('public');
    const input = `${Buffer.from('{"alg":"EdDSA"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}`;
    const jws = `${input}.${Buffer.from(key.sign(Buffer.from(input))).toString('base64url')}`;
    const { d: _d, ...pub } = jwk;
    const verified = await compactVerify(jws, await importJWK(pub, 'EdDSA'));
    expect(new TextDecoder().decode(verified.payload)).toBe('{"sub":"x"}');
    // A signature over other input does not verify.
    const forged = `${input}x.${jws.split('.')[2]}`;
    await expect(compactVerify(forged, await importJWK(pub, 'EdDSA'))).rejects.toThrow();
  });

  it('refuses a public or non-Ed25519 key', async () => {
    const { jwk } = await generateSigningKey(tmp());
    const { d: _d, ...pub } = jwk;
    expect(() => new Ed25519SigningKey(pub)).toThrow(/not a private Ed25519 JWK/);
    expect(() => new Ed25519SigningKey({ ...jwk, crv: 'Ed448' })).toThrow(/not a private Ed25519 JWK/);
  });
});
