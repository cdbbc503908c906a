// Signing, secrets at rest and the retry arithmetic, checked against the standardwebhooks reference package.
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '../../src/config.js';
import { nextAttemptAt, parseRetryAfter } from '../../src/webhooks/retry.js';
import { requireInstanceSecret, webhookSecretsKey } from '../../src/crypto/keys.js';
import { secretBox } from '../../src/crypto/seal.js';
import { generateSigningSecret } from '../../src/webhooks/secrets.js';
import { signature, signedHeaders } from '../../src/webhooks/signing.js';

describe('signatures', () => {
  it('match the standardwebhooks reference for the same id, time and body', () => {
    const secret = generateSigningSecret();
    const at = new Date('2026-05-01T12:00:00Z');
    const body = JSON.stringify({ id: 'evt_1', type: 'webhook.test', data: { ü: 'ß' } });
    expect(signature(secret, 'msg_abc', at.getTime() / 1000, body)).toBe(new Webhook(secret).sign('msg_abc', at, body));
  });

  it('send one signature per active secret, each verifiable on its own', () => {
    const [a, b] = [generateSigningSecret(), generateSigningSecret()];
    const body = '{"x":1}';
    const h = signedHeaders([a, b], 'msg_1', Math.floor(Date.now() / 1000), body);
    expect(h['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(a).verify(body, h)).not.toThrow();
    expect(() => new Webhook(b).verify(body, h)).not.toThrow();
    expect(() => new Webhook(generateSigningSecret()).verify(body, h)).toThrow();
    expect(() => new Webhook(a).verify('{"x":2}', h)).toThrow();
  });
});

describe('secrets at rest', () => {
  const config = { secretKey: 'k'.repeat(40), keysDir: '/nonexistent' };
  const boxFor = (c: typeof config) => secretBox(webhookSecretsKey(requireInstanceSecret(c)));
  it('round-trip, and refuse tampering, another row and another instance key', () => {
    const box = boxFor(config);
    const secret = generateSigningSecret();
    const sealed = box.seal(secret, 'we_1');
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(box.open(sealed, 'we_1')).toBe(secret);
    expect(() => box.open(sealed, 'we_2')).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[raw.length - 1]! ^= 1;
    expect(() => box.open(`v1:${raw.toString('base64url')}`, 'we_1')).toThrow();
    expect(() => boxFor({ ...config, secretKey: 'x'.repeat(40) }).open(sealed, 'we_1')).toThrow();
  });

  it('needs an instance secret', () => {
    expect(() => requireInstanceSecret({ secretKey: undefined, keysDir: '/nonexistent' })).toThrow(/SECRET_KEY/);
  });
});

describe('retry arithmetic', () => {
  const policy = { scheduleMs: [0, 5000, 300_000], jitter: 0.1, random: () => 0 };
  const now = new Date('2026-01-01T00:00:00Z');
  it('applies jitter within ±10 % and stops when the schedule ends', () => {
    expect(nextAttemptAt(policy, 1, now)!.getTime() - now.getTime()).toBe(4500);
    expect(nextAttemptAt({ ...policy, random: () => 0.999999 }, 2, now)!.getTime() - now.getTime()).toBe(330_000);
    expect(nextAttemptAt(policy, 3, now)).toBeUndefined();
  });

  it('parses Retry-After as seconds or HTTP date, and caps it at a day', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:10:00 GMT', now)).toBe(600_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(nextAttemptAt({ ...policy, random: () => 0.5 }, 1, now, 7 * 86_400_000)!.getTime() - now.getTime()).toBe(86_400_000);
  });

  it('reads the schedule and timeout from the environment', () => {
    const c = loadConfig({ WEBHOOK_RETRY_SCHEDULE: '0, 250ms, 5s, 2m, 1h', WEBHOOK_TIMEOUT_MS: '800' });
    expect(c.webhooks.retryScheduleMs).toEqual([0, 250, 5000, 120_000, 3_600_000]);
    expect(c.webhooks.timeoutMs).toBe(800);
    expect(loadConfig({}).webhooks.retryScheduleMs).toEqual([0, 5e3, 300e3, 1800e3, 7200e3, 18000e3, 36000e3, 50400e3, 72000e3, 86400e3]);
    expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE: '5 minutes' })).toThrow(/WEBHOOK_RETRY_SCHEDULE/);
  });
});
