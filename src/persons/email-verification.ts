// Email verification links: `<person id>.<expiry>.<HMAC>` — stateless, expiring, unforgeable.
import crypto from 'node:crypto';
import type { Clock } from '../clock.js';
import { keyedHash } from '../crypto/hash.js';
import type { Mailer } from './mailer.js';

const TTL_MS = 48 * 3600 * 1000;

// `key` is the instance secret's 'email-verification' subkey (derived in compose.ts).
function sign(key: Buffer, payload: string): string {
  return keyedHash(key, payload);
}

export function makeVerificationToken(key: Buffer, personId: string, now: Date): string {
  const payload = `${personId}.${now.getTime() + TTL_MS}`;
  return `${payload}.${sign(key, payload)}`;
}

/** The person id, or undefined when the token is forged, malformed or expired. */
export function readVerificationToken(key: Buffer, token: string, now: Date): string | undefined {
  const m = /^(per_[\w-]+)\.(\d+)\.([\w-]+)$/.exec(token);
  if (!m) return undefined;
  const [, personId = '', exp = '', mac = ''] = m;
  const expected = Buffer.from(sign(key, `${personId}.${exp}`));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return undefined;
  return Number(exp) > now.getTime() ? personId : undefined;
}

export async function sendVerificationEmail(
  ctx: { mailer: Mailer; key: Buffer; clock: Clock; publicUrl: string },
  person: { id: string; email: string },
): Promise<void> {
  const token = makeVerificationToken(ctx.key, person.id, ctx.clock.now());
  await ctx.mailer.send({
    to: person.email,
    subject: 'Verify your email for KYCPort',
    text: `Open this link to verify your email address (valid for 48 hours):\n\n${ctx.publicUrl}/verify-email?token=${encodeURIComponent(token)}\n\nIf you did not create a KYCPort account, ignore this message.`,
  });
}
