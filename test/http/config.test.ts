// Config fails fast with a readable message; defaults are the documented ones.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, publicUrl: 'http://localhost:3000', issuer: 'http://localhost:3000', env: 'development', databaseUrl: undefined, redisUrl: undefined });
    expect(c.keysDir.endsWith('/keys')).toBe(true);
    expect(c.dataDir.endsWith('/data')).toBe(true);
  });

  it('lists every invalid variable', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', PUBLIC_URL: 'not a url', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toContain('PORT');
    expect(msg).toContain('PUBLIC_URL');
    expect(msg).toContain('DATABASE_URL: must be a postgres:// URL');
  });

  it('requires https and a secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/https/);
    expect(() => loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://id.example' })).toThrow(/SECRET_KEY/);
    expect(loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://id.example/', SECRET_KEY: 'x'.repeat(32) }).issuer).toBe('https://id.example');
  });

  it('sends mail over SMTP only when SMTP_URL is a valid smtp(s) URL, from the issuer host by default', () => {
    expect(loadConfig({}).mail).toEqual({ smtpUrl: undefined, from: 'KYCPort <no-reply@localhost>', perAddressPerHour: 5 });
    const c = loadConfig({ PUBLIC_URL: 'https://id.example', SMTP_URL: 'smtps://u:p@mail.example:465', MAIL_PER_ADDRESS_PER_HOUR: '3' });
    expect(c.mail).toEqual({ smtpUrl: 'smtps://u:p@mail.example:465', from: 'KYCPort <no-reply@id.example>', perAddressPerHour: 3 });
    expect(() => loadConfig({ MAIL_PER_ADDRESS_PER_HOUR: '0' })).toThrow(/MAIL_PER_ADDRESS_PER_HOUR/);
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example' })).toThrow(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
  });

  it('has upload and engine limits with sane defaults, and refuses nonsense', () => {
    const c = loadConfig({});
    expect(c.uploads).toEqual({
      image: { maxSide: 12_000, maxPixels: 40_000_000, maxAspect: 10 },
      inflightMaxBytes: 256 * 1_048_576,
      perTenant: 4,
      idleTimeoutMs: 15_000,
      bodyTimeoutMs: 120_000,
    });
    expect(c.verification.taskTimeoutMs).toBe(60_000);
    expect(loadConfig({ UPLOAD_INFLIGHT_MAX_MB: '1024', UPLOAD_IMAGE_MAX_SIDE: '8000' }).uploads).toMatchObject({ inflightMaxBytes: 1024 * 1_048_576, image: { maxSide: 8000 } });
    for (const bad of [{ UPLOAD_IMAGE_MAX_SIDE: '0' }, { UPLOAD_CONCURRENCY_PER_TENANT: 'many' }, { VERIFICATION_TASK_TIMEOUT_MS: '10' }, { UPLOAD_IDLE_TIMEOUT_MS: '-1' }]) {
      expect(() => loadConfig(bad)).toThrow(new RegExp(Object.keys(bad)[0]!));
    }
  });

  it('reads TRUST_PROXY as off, a hop count or proxy CIDRs, and refuses "true" with what to give instead', () => {
    expect(loadConfig({}).trustProxy).toEqual({ kind: 'none' });
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toEqual({ kind: 'none' });
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toEqual({ kind: 'none' });
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toEqual({ kind: 'hops', hops: 2 });
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, fd00::/8,192.0.2.7' }).trustProxy).toEqual({ kind: 'cidrs', cidrs: ['10.0.0.0/8', 'fd00::/8', '192.0.2.7/32'] });
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: true is no longer accepted: give the number of proxies .* or their addresses as CIDRs/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/33' })).toThrow(/TRUST_PROXY: "10.0.0.0\/33" is not an IP address or CIDR/);
    expect(() => loadConfig({ TRUST_PROXY: 'proxy.internal' })).toThrow(/TRUST_PROXY/);
  });

  it('sizes the password-hashing gate to the cores unless told', () => {
    const c = loadConfig({});
    expect(c.passwordHashing.concurrency).toBeGreaterThanOrEqual(1);
    expect(c.passwordHashing.queue).toBe(8 * c.passwordHashing.concurrency);
    expect(loadConfig({ PASSWORD_HASH_CONCURRENCY: '3', PASSWORD_HASH_QUEUE: '0' }).passwordHashing).toEqual({ concurrency: 3, queue: 0 });
    expect(loadConfig({}).knownAddressDays).toBe(90);
  });
});
