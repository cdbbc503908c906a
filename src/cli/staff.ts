// `kycport staff create` (bootstrap the first admin: the set-password link is printed) and `kycport staff invite`
// (the invitation is mailed). Both run the console's own staff service (console/staff.ts).
import { z } from 'zod';
import { createStaff } from '../console/staff.js';
import { isOperatorRole, roleSchema, type Role } from '../console/roles.js';
import { deriveKey } from '../crypto/derive.js';
import { requireInstanceSecret } from '../crypto/keys.js';
import type { Infra } from '../infra.js';
import { NotFoundError } from '../http/errors.js';
import { mailerFor } from '../persons/mailer.js';
import { personStore } from '../persons/store.js';
import { command, flags, required, UsageError, type Command } from './args.js';
import { cliActor, cliAudit } from './audit.js';

interface StaffArgs {
  email: string;
  role: Role;
  tenantId?: string;
}

function parse(argv: string[]): StaffArgs {
  const { values } = flags(argv, { email: { type: 'string' }, role: { type: 'string' }, tenant: { type: 'string' } });
  const email = required(values.email, 'email');
  if (!z.string().email().safeParse(email).success) throw new UsageError(`--email: not an email address: ${email}`);
  const role = roleSchema.safeParse(required(values.role, 'role'));
  if (!role.success) throw new UsageError(`--role must be one of ${roleSchema.options.join(', ')}`);
  const tenantId = values.tenant?.trim();
  if (isOperatorRole(role.data) === Boolean(tenantId)) throw new UsageError(isOperatorRole(role.data) ? `${role.data} is an operator role: give no --tenant` : `${role.data} is a tenant role: --tenant is required`);
  return { email, role: role.data, ...(tenantId ? { tenantId } : {}) };
}

function staffFor(infra: Infra) {
  // The link's token is keyed like the server's (the instance secret), so the server's reset page accepts it.
  const secret = requireInstanceSecret(infra.config);
  return createStaff({ db: infra.db.knex, clock: infra.clock, mailer: mailerFor(infra.config), publicUrl: infra.config.publicUrl, emailTokensKey: deriveKey(secret, 'email-tokens'), audit: cliAudit(infra) });
}

export const staffCommands: Record<string, Command> = {
  'staff create': command({
    usage: 'staff create --email EMAIL --role ROLE [--tenant ID]   (prints the set-password link of a new account)',
    needsDb: true,
    parse,
    run: (a, infra) => staffFor(infra!).create({ ...a, actor: cliActor() }),
  }),
  'staff invite': command({
    usage: 'staff invite --email EMAIL --role ROLE [--tenant ID]   (mails the invitation)',
    needsDb: true,
    parse,
    run: (a, infra) => staffFor(infra!).invite({ ...a, actor: cliActor() }),
  }),
  'staff list': command({
    usage: 'staff list   (everyone with a console role, one line per role)',
    needsDb: true,
    parse: (argv) => void flags(argv, {}),
    run: async (_a, infra) => ({ data: await staffFor(infra!).list() }),
  }),
  'staff remove': command({
    usage: 'staff remove --email EMAIL --role ROLE [--tenant ID]   (takes one role away; the last admin role stays)',
    needsDb: true,
    parse,
    async run(a, infra) {
      const person = await personStore.findByEmail(infra!.db.knex, a.email);
      if (!person) throw new NotFoundError('Staff member');
      await staffFor(infra!).revoke({ personId: person.id, role: a.role, tenantId: a.tenantId ?? null, actor: cliActor() });
      return { email: a.email, role: a.role, tenant_id: a.tenantId ?? null, removed: true };
    },
  }),
};
