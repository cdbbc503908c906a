// Postgres roles (README "Audit trail"): when the application's role owns the table but is no superuser, the
// revoked grants hold even with the trigger disabled, and the retention job still prunes by granting itself
// DELETE for its one transaction. PGlite has one superuser, so this runs on Postgres only.
import crypto from 'node:crypto';
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { createAuditService, type AuditService } from '../../src/audit/service.js';
import { openDatabase, type Database } from '../../src/db/index.js';
import { migrateLatest } from '../../src/db/migrate.js';

const url = process.env.DATABASE_URL;

describe.skipIf(!url)('the audit table under a non-superuser owner (Postgres)', () => {
  const suffix = crypto.randomBytes(5).toString('hex');
  const role = `kp_audit_${suffix}`;
  const dbName = `kp_t_roles_${suffix}`;
  const clock = new ManualClock(new Date('2020-01-01T00:00:00Z'));
  let admin: Knex;
  let db: Database;
  let audit: AuditService;

  beforeAll(async () => {
    admin = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
    await admin.raw(`create role ${role} login`);
    await admin.raw(`create database ${dbName} owner ${role}`);
    const u = new URL(url!);
    u.username = role;
    u.password = '';
    u.pathname = `/${dbName}`;
    db = await openDatabase({ databaseUrl: u.toString(), dataDir: '' });
    await migrateLatest(db);
    audit = createAuditService({ db: db.knex, clock });
  });
  afterAll(async () => {
    await db?.close();
    await admin.raw(`drop database if exists ${dbName} with (force)`);
    await admin.raw(`drop role if exists ${role}`);
    await admin.destroy();
  });

  it('keeps UPDATE and DELETE from the owner even with the trigger off; retention still prunes', async () => {
    expect((await db.knex.raw<{ rows: { su: boolean }[] }>('select usesuper as su from pg_user where usename = current_user')).rows[0]!.su).toBe(false);
    for (let i = 1; i <= 3; i++) await audit.record({ tenantId: 'ten_r', actor: { type: 'system', id: 'test' }, action: 'api_key.created', object: { type: 'api_key', id: `key_${i}` } });
    await expect(db.knex('audit_entries').update({ action: 'x.y' })).rejects.toThrow(/permission denied/);
    await expect(
      db.knex.transaction(async (trx) => {
        await trx.raw('alter table audit_entries disable trigger audit_entries_no_change');
        await trx('audit_entries').where({ seq: 1 }).delete();
      }),
    ).rejects.toThrow(/permission denied/);

    clock.set(new Date('2027-01-01T00:00:00Z'));
    expect(await audit.prune(new Date('2026-01-01T00:00:00Z'))).toEqual({ chains: 1, removed: 3 });
    expect(await audit.verify('ten_r')).toMatchObject({ ok: true, entries: 1, pruned_through: 3 });
    // The grant lived only inside the job's transaction.
    expect((await db.knex.raw<{ rows: { ok: boolean }[] }>(`select has_table_privilege('audit_entries', 'DELETE') as ok`)).rows[0]!.ok).toBe(false);
  });
});
