// The admin commands: each returns one JSON-serialisable object.
import { z } from 'zod';
import type { Runtime } from '../runtime.js';
import { createApiKey, createClient, createTenant, revokeApiKey } from '../tenants/service.js';
import { createPerson, MIN_PASSWORD_LENGTH } from '../persons/service.js';
import { generateSigningKey } from '../oidc/keys.js';
import { flags, required, UsageError } from './args.js';
import { listsCommands } from './lists.js';

export interface Command {
  usage: string;
  /** Commands that need no database (e.g. keys) leave this false. */
  needsDb: boolean;
  run(argv: string[], rt: Runtime | undefined, env: { keysDir: string; isProduction: boolean }): Promise<object>;
}

const emailSchema = z.string().email();

export const commands: Record<string, Command> = {
  'tenant create': {
    usage: 'tenant create --name NAME',
    needsDb: true,
    async run(argv, rt) {
      const { values } = flags(argv, { name: { type: 'string' } });
      return createTenant(rt!.db.knex, required(values.name, 'name'));
    },
  },
  'client create': {
    usage: 'client create --tenant ID --redirect-uri URI [--redirect-uri URI…] [--public] [--name NAME]',
    needsDb: true,
    async run(argv, rt) {
      const { values } = flags(argv, {
        tenant: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        public: { type: 'boolean', default: false },
        name: { type: 'string' },
      });
      const uris = values['redirect-uri'] ?? [];
      if (uris.length === 0) throw new UsageError('--redirect-uri is required (repeat it for several)');
      return createClient(rt!.db.knex, rt!.config, {
        tenantId: required(values.tenant, 'tenant'),
        redirectUris: uris,
        public: Boolean(values.public),
        name: values.name,
      });
    },
  },
  'apikey create': {
    usage: 'apikey create --tenant ID [--name NAME]',
    needsDb: true,
    async run(argv, rt) {
      const { values } = flags(argv, { tenant: { type: 'string' }, name: { type: 'string' } });
      return createApiKey(rt!.db.knex, { tenantId: required(values.tenant, 'tenant'), name: values.name });
    },
  },
  'apikey revoke': {
    usage: 'apikey revoke --id ID',
    needsDb: true,
    async run(argv, rt) {
      const { values } = flags(argv, { id: { type: 'string' } });
      return revokeApiKey(rt!.db.knex, rt!.clock, required(values.id, 'id'));
    },
  },
  'person create': {
    usage: 'person create --email EMAIL --password PASSWORD [--name NAME]',
    needsDb: true,
    async run(argv, rt) {
      const { values } = flags(argv, { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } });
      const email = required(values.email, 'email');
      if (!emailSchema.safeParse(email).success) throw new UsageError(`--email: not an email address: ${email}`);
      const password = values.password ?? '';
      if (password.length < MIN_PASSWORD_LENGTH) throw new UsageError(`--password must be at least ${MIN_PASSWORD_LENGTH} characters`);
      return createPerson(rt!.db.knex, { email, password, emailVerified: true, name: values.name });
    },
  },
  'keys rotate': {
    usage: 'keys rotate',
    needsDb: false,
    async run(argv, _rt, env) {
      flags(argv, {});
      const key = await generateSigningKey(env.keysDir);
      return { kid: key.kid, created_at: key.created_at, note: 'Restart the server to start signing with this key; older keys stay published.' };
    },
  },
  migrate: {
    usage: 'migrate',
    needsDb: true,
    async run(argv, rt) {
      flags(argv, {});
      return { applied: rt!.migrations };
    },
  },
  ...listsCommands,
};
