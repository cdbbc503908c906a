// The audit trail over a real database (PGlite, or Postgres with DATABASE_URL): appends, the append-only
// trigger, concurrent appends, verification of tampered chains, export and retention.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createAuditService, type AuditService } from '../../src/audit/service.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';
import { createPerson } from '../../src/persons/service.js';

let deps: TestDeps;
let audit: AuditService;
const clock = new ManualClock(new Date('2026-12-03T08:00:00Z'));
const cli = { type: 'cli' as const, id: 'ops' };

beforeAll(async () => {
  deps = await createTestDeps({ clock });
  audit = createAuditService({ db: deps.db.knex, clock });
});
afterAll(() => deps?.cleanup());

const entry = (tenantId: string | null, n: number) => ({ tenantId, actor: cli, action: 'api_key.created', object: { type: 'api_key', id: `key_${n}` }, details: { name: `k${n}` } });

/** Runs SQL with the append-only trigger off, as an attacker with the owner's rights would. */
async function tamper(sql: string, bindings: unknown[]) {
  await deps.db.knex.transaction(async (trx) => {
    await trx.raw('alter table audit_entries disable trigger audit_entries_no_change');
    await trx.raw(sql, bindings as never);
    await trx.raw('alter table audit_entries enable trigger audit_entries_no_change');
  });
}

describe('audit trail', () => {
  it('keeps one chain per tenant and one for the operator, each verifiable', async () => {
    for (let i = 1; i <= 3; i++) await audit.record(entry('ten_a', i));
    await audit.record(entry(null, 9));
    const rows = await deps.db.knex('audit_entries').where({ chain: 'ten_a' }).orderBy('seq');
    expect(rows.map((r: { seq: number }) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[0].prev_hash).toBe('0'.repeat(64));
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    expect(await audit.verify('ten_a')).toMatchObject({ ok: true, chain: 'ten_a', entries: 3, head: { seq: 3, hash: rows[2].hash } });
    expect(await audit.verify(null)).toMatchObject({ ok: true, chain: 'operator', entries: 1 });
    expect(await audit.verify('ten_nobody')).toMatchObject({ ok: true, entries: 0 });
  });

  it('writes inside the caller\'s transaction: a rolled-back change leaves no entry', async () => {
    await expect(
      deps.db.knex.transaction(async (trx) => {
        await audit.record(entry('ten_rollback', 1), trx);
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(await deps.db.knex('audit_entries').where({ chain: 'ten_rollback' })).toHaveLength(0);
    await audit.record(entry('ten_rollback', 2));
    expect(await deps.db.knex('audit_entries').where({ chain: 'ten_rollback' }).first()).toMatchObject({ seq: 1 });
  });

  it('refuses entries with secrets in their details or a badly named action', async () => {
    await expect(audit.record({ ...entry('ten_a', 4), details: { client_secret: 'x' } })).rejects.toThrow(/client_secret/);
    await expect(audit.record({ ...entry('ten_a', 4), details: { nested: { api_key: 'kp_live_x' } } })).rejects.toThrow(/nested\.api_key/);
    await expect(audit.record({ ...entry('ten_a', 4), action: 'Created' })).rejects.toThrow(/dotted/);
    expect(await audit.verify('ten_a')).toMatchObject({ ok: true, entries: 3 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE through the trigger', async () => {
    const k = deps.db.knex;
    await expect(k('audit_entries').where({ chain: 'ten_a', seq: 2 }).update({ action: 'api_key.revoked' })).rejects.toThrow(/append-only \(UPDATE refused\)/);
    await expect(k('audit_entries').where({ chain: 'ten_a', seq: 3 }).delete()).rejects.toThrow(/append-only \(DELETE refused\)/);
    await expect(k.raw('truncate audit_entries')).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
    // The prune setting alone does not open the table: only links below the head's pruned point may go.
    await expect(
      k.transaction(async (trx) => {
        await trx.raw(`select set_config('kycport.audit_prune', 'on', true)`);
        await trx('audit_entries').where({ chain: 'ten_a', seq: 3 }).delete();
      }),
    ).rejects.toThrow(/DELETE refused/);
    expect(await audit.verify('ten_a')).toMatchObject({ ok: true, entries: 3 });
  });

  it('takes UPDATE, DELETE and TRUNCATE away from the role that ran the migration', async () => {
    const grants = await deps.db.knex.raw<{ rows: { privilege_type: string }[] }>(
      `select privilege_type from information_schema.role_table_grants where table_name = 'audit_entries' and grantee = current_user`,
    );
    const held = grants.rows.map((r) => r.privilege_type).sort();
    expect(held).toContain('INSERT');
    expect(held).toContain('SELECT');
    expect(held.filter((p) => ['UPDATE', 'DELETE', 'TRUNCATE'].includes(p))).toEqual([]);
  });

  it('keeps one chain under concurrent appends (no gap, no fork)', async () => {
    const writers = 24;
    await Promise.all(Array.from({ length: writers }, (_, i) => audit.record(entry('ten_busy', i))));
    const seqs = (await deps.db.knex('audit_entries').where({ chain: 'ten_busy' }).orderBy('seq')).map((r: { seq: number }) => r.seq);
    expect(seqs).toEqual(Array.from({ length: writers }, (_, i) => i + 1));
    expect(await audit.verify('ten_busy')).toMatchObject({ ok: true, entries: writers });
  });

  it('names the first broken link: a changed row, a recomputed hash, a gap, a cut tail', async () => {
    for (let i = 1; i <= 5; i++) await audit.record(entry('ten_t', i));
    const row = (seq: number) => deps.db.knex('audit_entries').where({ chain: 'ten_t', seq }).first();
    const third = await row(3);
    await tamper(`update audit_entries set details = '{"name":"other"}' where id = ?`, [third.id]);
    expect(await audit.verify('ten_t')).toMatchObject({ ok: false, entries: 2, broken: { seq: 3, id: third.id, reason: 'hash_mismatch' } });

    // The forger recomputes that link's hash: the next link no longer follows it.
    await tamper(`update audit_entries set hash = ? where id = ?`, ['f'.repeat(64), third.id]);
    const fourth = await row(4);
    expect(await audit.verify('ten_t')).toMatchObject({ ok: false, broken: { seq: 3, reason: 'hash_mismatch' } });
    await tamper(`update audit_entries set details = ?, hash = ? where id = ?`, [JSON.stringify({ name: 'k3' }), third.hash, third.id]);
    expect(await audit.verify('ten_t')).toMatchObject({ ok: true, entries: 5 });

    await tamper(`update audit_entries set prev_hash = ? where id = ?`, ['e'.repeat(64), fourth.id]);
    expect(await audit.verify('ten_t')).toMatchObject({ ok: false, broken: { seq: 4, id: fourth.id, reason: 'prev_hash_mismatch' } });
    await tamper(`update audit_entries set prev_hash = ? where id = ?`, [third.hash, fourth.id]);

    await tamper(`delete from audit_entries where id = ?`, [third.id]);
    expect(await audit.verify('ten_t')).toMatchObject({ ok: false, broken: { seq: 4, id: fourth.id, reason: 'sequence_gap' } });
    await tamper(`insert into audit_entries select * from json_populate_record(null::audit_entries, ?::json)`, [JSON.stringify(third)]);
    expect(await audit.verify('ten_t')).toMatchObject({ ok: true });

    await tamper(`delete from audit_entries where chain = 'ten_t' and seq = 5`, []);
    expect(await audit.verify('ten_t')).toMatchObject({ ok: false, broken: { seq: 5, id: null, reason: 'head_mismatch' } });
  });

  it('exports a time range as JSON lines, one chain or all', async () => {
    clock.set(new Date('2026-12-04T00:00:00Z'));
    await audit.record(entry('ten_x', 1));
    await audit.record(entry(null, 2));
    clock.set(new Date('2026-12-05T00:00:00Z'));
    await audit.record(entry('ten_x', 3));
    const lines: string[] = [];
    for await (const l of audit.export(new Date('2026-12-04T00:00:00Z'), new Date('2026-12-05T00:00:00Z'))) lines.push(l);
    expect(lines.map((l) => JSON.parse(l) as { tenant_id: string | null; object: { id: string } }).map((e) => [e.tenant_id, e.object.id])).toEqual([
      [null, 'key_2'], // same time: by chain key, 'operator' before 'ten_…'
      ['ten_x', 'key_1'],
    ]);
    expect(Object.keys(JSON.parse(lines[0]!) as object)).toEqual(['id', 'tenant_id', 'seq', 'at', 'actor', 'action', 'object', 'details', 'prev_hash', 'hash']);
    const one: string[] = [];
    for await (const l of audit.export(new Date(0), new Date('2027-01-01T00:00:00Z'), 'ten_x')) one.push(l);
    expect(one).toHaveLength(2);
    const operator: string[] = [];
    for await (const l of audit.export(new Date('2026-12-04T00:00:00Z'), new Date('2026-12-05T00:00:00Z'), null)) operator.push(l);
    expect(operator.map((l) => (JSON.parse(l) as { object: { id: string } }).object.id)).toEqual(['key_2']);
  });

  it('retention removes a chain\'s oldest links behind a checkpoint that verify starts from', async () => {
    clock.set(new Date('2020-01-01T00:00:00Z'));
    for (let i = 1; i <= 3; i++) await audit.record(entry('ten_old', i));
    clock.set(new Date('2026-12-06T00:00:00Z'));
    await audit.record(entry('ten_old', 4));
    const third = await deps.db.knex('audit_entries').where({ chain: 'ten_old', seq: 3 }).first();
    const pruned = await audit.prune(new Date('2021-12-06T00:00:00Z'));
    expect(pruned.removed).toBeGreaterThanOrEqual(3);
    const left = await deps.db.knex('audit_entries').where({ chain: 'ten_old' }).orderBy('seq');
    expect(left.map((r: { seq: number; action: string }) => [r.seq, r.action])).toEqual([
      [4, 'api_key.created'],
      [5, 'audit.pruned'],
    ]);
    expect(left[1].details).toMatchObject({ through_seq: 3, through_hash: third.hash, removed: 3 });
    expect(await audit.verify('ten_old')).toMatchObject({ ok: true, entries: 2, pruned_through: 3 });
    // Pruning again with nothing old enough changes nothing.
    expect((await audit.prune(new Date('2021-12-06T00:00:00Z'))).removed).toBe(0);
    // Links removed without a checkpoint (here: the head's pruned point moved by hand) are reported.
    await deps.db.knex('audit_chain_heads').where({ chain: 'ten_old' }).update({ pruned_seq: 4, pruned_hash: left[0].hash });
    await tamper(`delete from audit_entries where chain = 'ten_old' and seq = 4`, []);
    expect(await audit.verify('ten_old')).toMatchObject({ ok: false, broken: { reason: 'unattested_prune', seq: 4 } });
  });

  it('keeps what concerns a person until their relationship ended RECORD_RETENTION_YEARS ago, not only the entry', async () => {
    const { id: personId } = await createPerson(deps.db.knex, { email: 'kept@example.com', password: 'correct horse battery', emailVerified: true });
    clock.set(new Date('2019-01-01T00:00:00Z'));
    await audit.record(entry('ten_rel', 1));
    await audit.record({ tenantId: 'ten_rel', actor: cli, action: 'person.data_exported', object: { type: 'person', id: personId } });
    await audit.record(entry('ten_rel', 3));
    clock.set(new Date('2026-12-06T00:00:00Z'));
    await audit.record(entry('ten_rel', 4));
    const cutoff = new Date('2021-12-06T00:00:00Z');
    // The person still has an account: the prefix stops before their entry.
    expect((await audit.prune(cutoff)).removed).toBe(1);
    expect((await deps.db.knex('audit_entries').where({ chain: 'ten_rel' }).orderBy('seq')).map((r: { seq: number }) => r.seq)).toEqual([2, 3, 4, 5]);
    // Erased recently (after the cutoff): still kept.
    await deps.db.knex('persons').where({ id: personId }).delete();
    await audit.record({ tenantId: null, actor: { type: 'person', id: personId }, action: 'person.erased', object: { type: 'person', id: personId } });
    expect((await audit.prune(cutoff)).removed).toBe(0);
    // Once the erasure itself is older than the period, the person's entries may go.
    expect((await audit.prune(new Date('2027-01-01T00:00:00Z'))).removed).toBeGreaterThanOrEqual(2);
    expect(await audit.verify('ten_rel')).toMatchObject({ ok: true });
  });
});
