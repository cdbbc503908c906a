// `kycport sandbox create`: what a developer needs to try test mode in one command: a tenant, a kp_test_ key, a
// person to sign in as (generated password), and this server's /docs/samples (which lists the sample images to
// upload) registered as a redirect URI for hosted sessions. Each part is made by the function its own command
// uses, and audited the same way.
import crypto from 'node:crypto';
import { z } from 'zod';
import { createPerson } from '../persons/service.js';
import { tenantAudit } from '../tenants/audit-entries.js';
import { addRedirectUri } from '../tenants/redirect-uris.js';
import { createApiKey, createTenant } from '../tenants/service.js';
import { command, flags, UsageError, type Command } from './args.js';
import { cliActor, cliAudit } from './audit.js';

export const sandboxCommands: Record<string, Command> = {
  'sandbox create': command({
    usage: 'sandbox create [--name NAME] [--email EMAIL]  (a tenant, a kp_test_ key, a person to sign in as, /docs/samples as a redirect URI)',
    needsDb: true,
    parse(argv) {
      const { values } = flags(argv, { name: { type: 'string' }, email: { type: 'string' } });
      const email = values.email?.trim() ?? `sandbox-${crypto.randomBytes(4).toString('hex')}@example.test`;
      if (!z.email().safeParse(email).success) throw new UsageError(`--email: not an email address: ${email}`);
      return { name: values.name?.trim() || 'Sandbox', email };
    },
    async run(a, infra) {
      const { config } = infra!;
      const audit = cliAudit(infra!);
      const { tenant_id: tenantId } = await audit.audited((trx) => createTenant(trx, a.name), (r) => tenantAudit.tenantCreated(cliActor(), r.tenant_id, a.name));
      const key = await audit.audited(
        (trx) => createApiKey(trx, { tenantId, name: 'sandbox', test: true }),
        (r) => tenantAudit.apiKeyCreated(cliActor(), tenantId, r.id, 'sandbox', r.scopes),
      );
      const redirectUri = new URL('/docs/samples', config.publicUrl).toString();
      await audit.audited((trx) => addRedirectUri(trx, config, tenantId, redirectUri), () => tenantAudit.redirectUriAdded(cliActor(), tenantId, redirectUri));
      const password = crypto.randomBytes(12).toString('base64url');
      const person = await audit.audited(
        (trx) => createPerson(trx, { email: a.email, password, emailVerified: true }),
        (r) => ({ tenantId: null, actor: cliActor(), action: 'person.created', object: { type: 'person', id: r.id } }),
      );
      return {
        tenant_id: tenantId,
        api_key: key.api_key,
        livemode: false,
        person: { id: person.id, email: a.email, password },
        redirect_uri: redirectUri,
        samples: new URL('/docs/samples', config.publicUrl).toString(),
      };
    },
  }),
};
