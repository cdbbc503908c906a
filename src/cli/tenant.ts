// `kycport tenant redirect-uris …` (where hosted verification sessions may send the browser back to) and
// `kycport tenant branding …` (what the hosted pages show of the tenant).
import fs from 'node:fs/promises';
import path from 'node:path';
import { setBranding } from '../tenants/branding.js';
import { addRedirectUri, listRedirectUris, removeRedirectUri } from '../tenants/redirect-uris.js';
import { tenantAudit } from '../tenants/audit-entries.js';
import { command, flags, required, UsageError, type Command } from './args.js';
import { cliActor, cliAudit } from './audit.js';

const tenantAndUri = (argv: string[]) => {
  const { values } = flags(argv, { tenant: { type: 'string' }, uri: { type: 'string' } });
  return { tenantId: required(values.tenant, 'tenant'), uri: required(values.uri, 'uri') };
};

export const tenantCommands: Record<string, Command> = {
  'tenant redirect-uris add': command({
    usage: 'tenant redirect-uris add --tenant ID --uri URI',
    needsDb: true,
    parse: tenantAndUri,
    run: (a, infra) =>
      cliAudit(infra!).audited((trx) => addRedirectUri(trx, infra!.config, a.tenantId, a.uri), () => tenantAudit.redirectUriAdded(cliActor(), a.tenantId, a.uri)),
  }),
  'tenant redirect-uris remove': command({
    usage: 'tenant redirect-uris remove --tenant ID --uri URI',
    needsDb: true,
    parse: tenantAndUri,
    run: (a, infra) => cliAudit(infra!).audited((trx) => removeRedirectUri(trx, a.tenantId, a.uri), () => tenantAudit.redirectUriRemoved(cliActor(), a.tenantId, a.uri)),
  }),
  'tenant redirect-uris list': command({
    usage: 'tenant redirect-uris list --tenant ID',
    needsDb: true,
    parse: (argv) => required(flags(argv, { tenant: { type: 'string' } }).values.tenant, 'tenant'),
    run: (tenantId, infra) => listRedirectUris(infra!.db.knex, tenantId),
  }),
  'tenant branding': command({
    usage: 'tenant branding --tenant ID [--display-name NAME] [--accent-color #RRGGBB] [--logo FILE.png|jpg]',
    needsDb: true,
    parse(argv) {
      const { values } = flags(argv, { tenant: { type: 'string' }, 'display-name': { type: 'string' }, 'accent-color': { type: 'string' }, logo: { type: 'string' } });
      if (values.logo !== undefined && !/\.(png|jpe?g)$/i.test(values.logo)) throw new UsageError('--logo must be a .png or .jpg file');
      return { tenantId: required(values.tenant, 'tenant'), displayName: values['display-name'], accentColor: values['accent-color'], logo: values.logo && path.resolve(values.logo) };
    },
    async run(a, infra) {
      const logo = a.logo ? { logo: await fs.readFile(a.logo) } : {};
      const changed = [...(a.displayName !== undefined ? ['display_name'] : []), ...(a.accentColor !== undefined ? ['accent_color'] : []), ...(a.logo ? ['logo'] : [])];
      return cliAudit(infra!).audited(
        (trx) => setBranding(trx, a.tenantId, { displayName: a.displayName, accentColor: a.accentColor, ...logo }),
        () => tenantAudit.brandingChanged(cliActor(), a.tenantId, changed),
      );
    },
  }),
};
