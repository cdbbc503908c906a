// Typed rows: what each driver returns (this file runs on PGlite in the first pass and on Postgres in the second),
// and that a stored JSON value that doesn't match its schema fails loudly instead of reaching a domain file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoredDataError } from '../../src/db/codec.js';
import { personStore } from '../../src/persons/store.js';
import { caseStore } from '../../src/verification/cases/store.js';
import { webhookStore } from '../../src/webhooks/store.js';
import { startTestServer, type TestServer } from '../support/server.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
});
afterAll(async () => {
  await srv?.close();
});

describe(`the ${process.env.DATABASE_URL ? 'pg' : 'PGlite'} driver`, () => {
  it('returns timestamps as Date, json/jsonb parsed, bigint and int as numbers', async () => {
    const { rows } = await srv.deps.db.knex.raw(
      `select now() as tz, '2026-01-02T03:04:05Z'::timestamptz as fixed, '{"a":[1,"x"]}'::jsonb as jb, '["e"]'::json as j,
              (select json_agg(x) from (values (1), (2)) v(x)) as agg, 5::bigint as big, count(*)::int as n from (values (1)) v(x)`,
    );
    const r = rows[0];
    expect(r.tz).toBeInstanceOf(Date);
    expect((r.fixed as Date).toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(r.jb).toEqual({ a: [1, 'x'] });
    expect(r.j).toEqual(['e']);
    expect(r.agg).toEqual([1, 2]);
    expect(r.big).toBe(5);
    expect(r.n).toBe(1);
  });

  it('answers an update and a delete with the number of rows they touched', async () => {
    const k = srv.deps.db.knex;
    await k.raw('create temporary table counted (id int)');
    try {
      await k('counted').insert([{ id: 1 }, { id: 2 }, { id: 3 }]);
      expect(await k('counted').where('id', '<', 3).update({ id: 9 })).toBe(2);
      expect(await k('counted').where({ id: 9 }).delete()).toBe(2);
      expect(await k('counted').where({ id: 42 }).delete()).toBe(0);
    } finally {
      await k.raw('drop table counted');
    }
  });
});

describe('stored rows', () => {
  async function openCase(): Promise<{ tenantId: string; id: string; apiKey: string }> {
    const tenantId = await srv.tenant();
    const { api_key } = await srv.apiKey(tenantId);
    const person = await srv.person();
    const sub = `psn_rows${Date.now()}`;
    await personStore.upsertSubject(srv.deps.db.knex, { tenant_id: tenantId, person_id: person.id, sub });
    const res = await fetch(`${srv.url}/api/v1/verification/cases/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api_key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ person_id: sub, level: 't1' }),
    });
    expect(res.status).toBe(201);
    return { tenantId, id: ((await res.json()) as { id: string }).id, apiKey: api_key };
  }

  it('come back typed: Date timestamps, decoded JSON columns', async () => {
    const c = await openCase();
    const now = srv.deps.clock.now();
    await caseStore.update(srv.deps.db.knex, c.id, {
      challenge: ['turn_left', 'center'],
      review: { outcome: 'rejected', reason: 'blurry', reviewed_at: now.toISOString() },
      updated_at: now,
    });
    const row = (await caseStore.find(srv.deps.db.knex, c.tenantId, c.id))!;
    expect(row.created_at).toBeInstanceOf(Date);
    expect(row.updated_at.getTime()).toBe(now.getTime());
    expect(row.challenge).toEqual(['turn_left', 'center']);
    expect(row.review).toEqual({ outcome: 'rejected', reason: 'blurry', reviewed_at: now.toISOString() });
    expect(row.extraction).toBeNull();
  });

  it('that do not match their schema are a loud server error, not data', async () => {
    const c = await openCase();
    await srv.deps.db.knex('verification_cases').where({ id: c.id }).update({ extraction: JSON.stringify({ type: 5 }) });
    await expect(caseStore.find(srv.deps.db.knex, c.tenantId, c.id)).rejects.toThrow(StoredDataError);
    await expect(caseStore.find(srv.deps.db.knex, c.tenantId, c.id)).rejects.toThrow(/verification_cases\.extraction/);
    const res = await fetch(`${srv.url}/api/v1/verification/cases/${c.id}`, { headers: { authorization: `Bearer ${c.apiKey}` } });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: string }).error).toBe('internal_error');

    const tenantId = await srv.tenant();
    await webhookStore.insertEndpoint(srv.deps.db.knex, {
      id: 'we_rows1', tenant_id: tenantId, url: 'http://127.0.0.1:9/', description: null, events: ['*'], enabled: true,
      secret_enc: srv.deps.webhookSecrets.seal('whsec_x', 'we_rows1'), created_at: new Date(), updated_at: new Date(), livemode: true,
    });
    expect((await webhookStore.findEndpoint(srv.deps.db.knex, tenantId, 'we_rows1'))!.events).toEqual(['*']);
    await srv.deps.db.knex('webhook_endpoints').where({ id: 'we_rows1' }).update({ events: JSON.stringify({ not: 'a list' }) });
    await expect(webhookStore.findEndpoint(srv.deps.db.knex, tenantId, 'we_rows1')).rejects.toThrow(StoredDataError);
  });
});
