// The account claims the token endpoint and userinfo read (assurance/cache.ts ClaimsCache): served from memory
// between changes, and a change committed by any connection (the person's assurance, their email or name, their
// deletion) is what the next read shows once its NOTIFY arrives; a change that rolls back is never seen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const claims = (personId: string) => server.services.assurance.claims(personId);
const poll = { timeout: 2000, interval: 20 };

describe('account claims cache', () => {
  it('answers from memory until the row changes, then the committed change', async () => {
    const p = await server.person();
    const db = server.deps.db.knex;
    const first = await claims(p.id);
    expect(first).toMatchObject({ sub: p.id, email: p.email, kyc_status: 'unverified', kyc_tier: 't0' });

    // An assurance change, committed: the next reads show it.
    await db('assurance').where({ person_id: p.id }).update({ status: 'verified', tier: 't1', verified_at: new Date(), expires_at: new Date(Date.now() + 86400_000) });
    await expect.poll(async () => (await claims(p.id))?.kyc_tier, poll).toBe('t1');

    // The person's own claim fields.
    await db('persons').where({ id: p.id }).update({ name: 'Ada Lovelace', email: `renamed.${p.email}` });
    await expect.poll(async () => (await claims(p.id))?.name, poll).toBe('Ada Lovelace');
    expect((await claims(p.id))?.email).toBe(`renamed.${p.email}`);

    // A change that rolls back is never seen.
    await db
      .transaction(async (trx) => {
        await trx('persons').where({ id: p.id }).update({ name: 'Rolled Back' });
        throw new Error('rollback');
      })
      .catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect((await claims(p.id))?.name).toBe('Ada Lovelace');

    // Columns no claim reads (a password change) do not drop the entry, and deletion does.
    await db('persons').where({ id: p.id }).update({ password_hash: 'x' });
    await db('persons').where({ id: p.id }).delete();
    await expect.poll(async () => await claims(p.id), poll).toBeUndefined();
  });
});
