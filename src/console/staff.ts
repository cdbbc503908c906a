// Staff accounts: role grants over persons (staff_roles), and how people join — `kycport staff create` (the first
// admin) and `kycport staff invite`. A new staff member's account is made with an unusable password and the
// persons' one-time reset link (email-tokens.ts) lets them choose theirs: the link is the invitation.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors.js';
import { newId } from '../ids.js';
import { emailTokens, RESET_TTL_MS } from '../persons/email-tokens.js';
import type { Mailer } from '../persons/mailer.js';
import { mails } from '../persons/mails.js';
import { createPerson } from '../persons/service.js';
import { personStore } from '../persons/store.js';
import { isOperatorRole, type Role, type RoleGrant } from './roles.js';
import type { AuditActor, AuditRecorder } from '../audit/service.js';

interface StaffRoleRow {
  id: string;
  person_id: string;
  role: Role;
  /** '' for an operator role (the unique key needs a value). */
  tenant_id: string;
  granted_by: string | null;
  created_at: Date;
}

export const staffStore = {
  grantsOf: async (db: Queryable, personId: string): Promise<RoleGrant[]> =>
    (await db<StaffRoleRow>('staff_roles').where({ person_id: personId }).orderBy('created_at')).map((r) => ({ role: r.role, tenantId: r.tenant_id || null })),
  /** Every grant with its holder's email, for the admin's staff page. */
  listAll: (db: Queryable): Promise<(Pick<StaffRoleRow, 'person_id' | 'role' | 'tenant_id' | 'created_at'> & { email: string })[]> =>
    db('staff_roles as r').join('persons as p', 'p.id', 'r.person_id').select('r.person_id', 'r.role', 'r.tenant_id', 'r.created_at', 'p.email').orderBy([{ column: 'p.email' }, { column: 'r.role' }]),
  revoke: (db: Queryable, personId: string, role: Role, tenantId: string | null): Promise<number> =>
    db('staff_roles').where({ person_id: personId, role, tenant_id: tenantId ?? '' }).delete().returning('id').then((r: unknown[]) => r.length),
  grant: (db: Queryable, row: StaffRoleRow) => db('staff_roles').insert(row).onConflict(['person_id', 'role', 'tenant_id']).ignore(),
};

export interface StaffDeps {
  db: Knex;
  clock: Clock;
  mailer: Mailer;
  publicUrl: string;
  /** The instance secret's 'email-tokens' subkey (the persons' one-time links). */
  emailTokensKey: Buffer;
  /** Role grants go on the operator's audit chain, in the grant's transaction. */
  audit: Pick<AuditRecorder, 'record'>;
}

export interface GrantInput {
  email: string;
  role: Role;
  tenantId?: string;
  grantedBy?: string;
  /** Who grants (the CLI's OS user, a staff member); the system when a test or bootstrap code does. */
  actor?: AuditActor;
}

export interface Granted {
  person_id: string;
  email: string;
  role: Role;
  tenant_id: string | null;
  /** The account was made now: its owner sets a password through the link. */
  account_created: boolean;
  /** Only from `staff create` (printed for the operator at the shell); `invite` mails it. */
  set_password_link?: string;
  mailed: boolean;
}

export function createStaff(d: StaffDeps) {
  const tokens = emailTokens(d.emailTokensKey);

  async function grant(input: GrantInput): Promise<{ personId: string; email: string; created: boolean; tenantId: string | null }> {
    const operator = isOperatorRole(input.role);
    if (operator && input.tenantId) throw new ValidationError(`${input.role} is an operator role: give no tenant.`);
    if (!operator && !input.tenantId) throw new ValidationError(`${input.role} is a tenant role: give the tenant.`);
    const tenantId = operator ? null : input.tenantId!;
    if (tenantId && !(await d.db('tenants').where({ id: tenantId }).first('id'))) throw new NotFoundError('Tenant');
    let person = await personStore.findByEmail(d.db, input.email);
    const created = !person;
    // Nobody knows this password: the account opens only through the emailed link (or a later reset).
    if (!person) await createPerson(d.db, { email: input.email, password: crypto.randomBytes(32).toString('base64url'), emailVerified: true });
    person = (await personStore.findByEmail(d.db, input.email))!;
    const grantId = newId('sr');
    await d.db.transaction(async (trx) => {
      await staffStore.grant(trx, {
        id: grantId,
        person_id: person.id,
        role: input.role,
        tenant_id: tenantId ?? '',
        granted_by: input.grantedBy ?? null,
        created_at: d.clock.now(),
      });
      await d.audit.record(
        {
          tenantId: null,
          actor: input.actor ?? { type: 'system', id: 'kycport' },
          action: 'role.granted',
          object: { type: 'person', id: person.id },
          details: { role: input.role, ...(tenantId ? { tenant_id: tenantId } : {}) },
        },
        trx,
      );
    });
    return { personId: person.id, email: person.email, created, tenantId };
  }

  async function link(personId: string, email: string): Promise<string> {
    const token = await tokens.issue(d.db, { purpose: 'reset', email, personId, now: d.clock.now() });
    return `${d.publicUrl}/password/reset?token=${encodeURIComponent(token)}`;
  }

  const consoleUrl = `${d.publicUrl}/console`;

  return {
    grantsOf: (personId: string) => staffStore.grantsOf(d.db, personId),

    /** Everyone holding a role, one row per grant. */
    list: async () => (await staffStore.listAll(d.db)).map((r) => ({ personId: r.person_id, email: r.email, role: r.role, tenantId: r.tenant_id || null, grantedAt: r.created_at })),

    /** Takes one role away (effective on the holder's next console request), with `role.revoked` on the operator's chain. */
    async revoke(input: { personId: string; role: Role; tenantId: string | null; actor: AuditActor }): Promise<void> {
      await d.db.transaction(async (trx) => {
        // The operator must keep someone who can manage staff: the last admin role is not removed here.
        if (input.role === 'admin' && input.tenantId === null) {
          const admins: { person_id: string }[] = await trx('staff_roles').where({ role: 'admin', tenant_id: '' }).forUpdate().select('person_id');
          if (admins.length === 1 && admins[0]!.person_id === input.personId) throw new ConflictError('last_admin', 'This is the last admin: invite another admin before removing this role.');
        }
        if (!(await staffStore.revoke(trx, input.personId, input.role, input.tenantId))) throw new NotFoundError('Role grant');
        await d.audit.record(
          { tenantId: null, actor: input.actor, action: 'role.revoked', object: { type: 'person', id: input.personId }, details: { role: input.role, ...(input.tenantId ? { tenant_id: input.tenantId } : {}) } },
          trx,
        );
      });
    },

    /** Bootstraps a staff member (the first admin): the set-password link is returned, to be handed over directly. */
    async create(input: GrantInput): Promise<Granted> {
      const g = await grant(input);
      const setPasswordLink = g.created ? await link(g.personId, g.email) : undefined;
      return { person_id: g.personId, email: g.email, role: input.role, tenant_id: g.tenantId, account_created: g.created, ...(setPasswordLink ? { set_password_link: setPasswordLink } : {}), mailed: false };
    },

    /** Invites by email: a new account gets a set-password link, an existing one a note that it has the role now. */
    async invite(input: GrantInput): Promise<Granted> {
      const g = await grant(input);
      const where = g.tenantId ? ` for tenant ${g.tenantId}` : '';
      const mail = g.created
        ? mails.staffInvite(g.email, input.role + where, await link(g.personId, g.email), RESET_TTL_MS, consoleUrl)
        : mails.staffRole(g.email, input.role + where, consoleUrl);
      await d.mailer.send(mail);
      return { person_id: g.personId, email: g.email, role: input.role, tenant_id: g.tenantId, account_created: g.created, mailed: true };
    },
  };
}

export type Staff = ReturnType<typeof createStaff>;
