// The admin commands. Each parses its arguments first (so bad arguments fail before any database is opened),
// then runs and returns one JSON-serialisable object.
import { z } from 'zod';
import { API_SCOPES } from '../http/scopes.js';
import { createApiKey, createClient, createTenant, listApiKeys, revokeApiKey } from '../tenants/service.js';
import { mailerFor } from '../persons/mailer.js';
import { createPerson, MIN_PASSWORD_LENGTH } from '../persons/service.js';
import { operatorTurnOff } from '../persons/two-step.js';
import { generateSigningKey } from '../oidc/keys.js';
import { command, flags, required, UsageError, type Command } from './args.js';
import { tenantAudit } from '../tenants/audit-entries.js';
import { tenantStore } from '../tenants/store.js';
import { auditCommands, cliActor, cliAudit } from './audit.js';
import { listsCommands } from './lists.js';
import { manageCommands, scopeFlags } from './manage.js';
import { sandboxCommands } from './sandbox.js';
import { staffCommands } from './staff.js';
import { tenantCommands } from './tenant.js';

const emailSchema = z.string().email();

export const commands: Record<string, Command> = {
  'tenant create': command({
    usage: 'tenant create --name NAME',
    needsDb: true,
    parse: (argv) => required(flags(argv, { name: { type: 'string' } }).values.name, 'name'),
    run: (name, infra) => cliAudit(infra!).audited((trx) => createTenant(trx, name), (r) => tenantAudit.tenantCreated(cliActor(), r.tenant_id, name)),
  }),
  'client create': command({
    usage: 'client create --tenant ID --redirect-uri URI [--redirect-uri URI…] [--public] [--name NAME] [--test]  (--test: a test client, its sign-ins carry test-mode assurance)',
    needsDb: true,
    parse(argv) {
      const { values } = flags(argv, {
        tenant: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        public: { type: 'boolean', default: false },
        name: { type: 'string' },
        test: { type: 'boolean', default: false },
      });
      const redirectUris = values['redirect-uri'] ?? [];
      if (redirectUris.length === 0) throw new UsageError('--redirect-uri is required (repeat it for several)');
      return { tenantId: required(values.tenant, 'tenant'), redirectUris, public: Boolean(values.public), name: values.name, ...(values.test ? { test: true } : {}) };
    },
    run: (input, infra) =>
      cliAudit(infra!).audited(
        (trx) => createClient(trx, infra!.config, input),
        (r) => tenantAudit.clientCreated(cliActor(), input.tenantId, r.client_id, { public: input.public, redirect_uris: input.redirectUris }),
      ),
  }),
  'apikey create': command({
    usage: `apikey create --tenant ID [--name NAME] [--scope SCOPE…] [--test]  (scopes: ${API_SCOPES.join(', ')}; repeat --scope for several; default: all four; --test: a kp_test_ key for test mode)`,
    needsDb: true,
    parse(argv) {
      const { values } = flags(argv, { tenant: { type: 'string' }, name: { type: 'string' }, scope: { type: 'string', multiple: true }, test: { type: 'boolean', default: false } });
      const scopes = scopeFlags(values.scope);
      return { tenantId: required(values.tenant, 'tenant'), name: values.name, ...(scopes ? { scopes } : {}), ...(values.test ? { test: true } : {}) };
    },
    run: (input, infra) => cliAudit(infra!).audited((trx) => createApiKey(trx, input), (r) => tenantAudit.apiKeyCreated(cliActor(), input.tenantId, r.id, input.name, r.scopes)),
  }),
  'apikey list': command({
    usage: 'apikey list --tenant ID  (id, name, last 4 characters, scopes, created, revoked; never the key)',
    needsDb: true,
    parse: (argv) => required(flags(argv, { tenant: { type: 'string' } }).values.tenant, 'tenant'),
    run: async (tenantId, infra) => ({ data: await listApiKeys(infra!.db.knex, tenantId) }),
  }),
  'apikey revoke': command({
    usage: 'apikey revoke --id ID',
    needsDb: true,
    parse: (argv) => required(flags(argv, { id: { type: 'string' } }).values.id, 'id'),
    run: (id, infra) =>
      cliAudit(infra!).audited(
        (trx) => revokeApiKey(trx, infra!.clock, id),
        async (r, trx) => tenantAudit.apiKeyRevoked(cliActor(), (await tenantStore.findApiKey(trx, r.id))!.tenant_id, r.id),
      ),
  }),
  'person create': command({
    usage: 'person create --email EMAIL --password PASSWORD [--name NAME]',
    needsDb: true,
    parse(argv) {
      const { values } = flags(argv, { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } });
      const email = required(values.email, 'email');
      if (!emailSchema.safeParse(email).success) throw new UsageError(`--email: not an email address: ${email}`);
      const password = values.password ?? '';
      if (password.length < MIN_PASSWORD_LENGTH) throw new UsageError(`--password must be at least ${MIN_PASSWORD_LENGTH} characters`);
      return { email, password, name: values.name };
    },
    run: (input, infra) =>
      cliAudit(infra!).audited(
        (trx) => createPerson(trx, { ...input, emailVerified: true }),
        (r) => ({ tenantId: null, actor: cliActor(), action: 'person.created', object: { type: 'person', id: r.id } }),
      ),
  }),
  'person two-step-off': command({
    usage: 'person two-step-off (--email EMAIL | --person ID)',
    needsDb: true,
    parse(argv) {
      const { values } = flags(argv, { email: { type: 'string' }, person: { type: 'string' } });
      const email = values.email?.trim();
      const personId = values.person?.trim();
      if (!email === !personId) throw new UsageError('give exactly one of --email or --person');
      if (email && !emailSchema.safeParse(email).success) throw new UsageError(`--email: not an email address: ${email}`);
      return email ? { email } : { personId: personId! };
    },
    run: (who, infra) => operatorTurnOff({ db: infra!.db.knex, mailer: mailerFor(infra!.config), audit: cliAudit(infra!) }, who, cliActor()),
  }),
  'keys rotate': command({
    usage: 'keys rotate',
    needsDb: false,
    parse: (argv) => void flags(argv, {}),
    async run(_args, _rt, env) {
      const key = await generateSigningKey(env.keysDir);
      return { kid: key.kid, created_at: key.created_at, note: 'Restart the server to start signing with this key; older keys stay published.' };
    },
  }),
  migrate: command({
    usage: 'migrate',
    needsDb: true,
    parse: (argv) => void flags(argv, {}),
    run: (_args, infra) => Promise.resolve({ applied: infra!.migrations }),
  }),
  ...listsCommands,
  ...tenantCommands,
  ...manageCommands,
  ...staffCommands,
  ...sandboxCommands,
  ...auditCommands,
};
