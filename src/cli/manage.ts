// `list`, `update` and `delete` for what the CLI creates (tenants, clients, API keys), through the tenants
// service's functions, as the API and the console use them.
import { API_SCOPES, apiScope, type ApiScope } from '../http/scopes.js';
import {
  deleteApiKey,
  deleteClient,
  deleteTenant,
  listClients,
  listTenants,
  renameTenant,
  updateApiKey,
  updateClient,
} from '../tenants/service.js';
import { tenantAudit } from '../tenants/audit-entries.js';
import { tenantStore } from '../tenants/store.js';
import { command, flags, required, UsageError, type Command } from './args.js';
import { cliActor, cliAudit } from './audit.js';

/** `--scope` values (repeatable), checked against the vocabulary; undefined when none was given. */
export function scopeFlags(values: string[] | undefined): ApiScope[] | undefined {
  return values?.map((v) => {
    const r = apiScope.safeParse(v.trim());
    if (!r.success) throw new UsageError(`--scope: unknown scope ${v} (one of ${API_SCOPES.join(', ')})`);
    return r.data;
  });
}

const idFlag = (argv: string[], name: string) => required(flags(argv, { [name]: { type: 'string' } }).values[name], name);

export const manageCommands: Record<string, Command> = {
  'tenant list': command({
    usage: 'tenant list',
    needsDb: true,
    parse: (argv) => void flags(argv, {}),
    run: async (_a, infra) => ({ data: await listTenants(infra!.db.knex) }),
  }),
  'tenant update': command({
    usage: 'tenant update --id ID --name NAME',
    needsDb: true,
    parse(argv) {
      const { values } = flags(argv, { id: { type: 'string' }, name: { type: 'string' } });
      return { id: required(values.id, 'id'), name: required(values.name, 'name') };
    },
    run: (a, infra) => cliAudit(infra!).audited((trx) => renameTenant(trx, a.id, a.name), (r) => tenantAudit.tenantUpdated(cliActor(), r.id, r.name)),
  }),
  'tenant delete': command({
    usage: 'tenant delete --id ID  (with its clients, keys, endpoints and sessions; refused while it has verification cases)',
    needsDb: true,
    parse: (argv) => idFlag(argv, 'id'),
    run: (id, infra) => cliAudit(infra!).audited((trx) => deleteTenant(trx, id), (r) => tenantAudit.tenantDeleted(cliActor(), r.id)),
  }),
  'client list': command({
    usage: 'client list --tenant ID',
    needsDb: true,
    parse: (argv) => idFlag(argv, 'tenant'),
    run: async (tenantId, infra) => ({ data: await listClients(infra!.db.knex, tenantId) }),
  }),
  'client update': command({
    usage: 'client update --id CLIENT_ID [--name NAME] [--redirect-uri URI…]  (the URIs replace the list; servers see it within 10 s)',
    needsDb: true,
    parse(argv) {
      const { values } = flags(argv, { id: { type: 'string' }, name: { type: 'string' }, 'redirect-uri': { type: 'string', multiple: true } });
      if (values.name === undefined && !values['redirect-uri']) throw new UsageError('give --name and/or --redirect-uri');
      return { id: required(values.id, 'id'), patch: { ...(values.name !== undefined ? { name: values.name } : {}), ...(values['redirect-uri'] ? { redirectUris: values['redirect-uri'] } : {}) } };
    },
    run: (a, infra) =>
      cliAudit(infra!).audited((trx) => updateClient(trx, infra!.config, a.id, a.patch), (r) => tenantAudit.clientUpdated(cliActor(), r.tenant_id, r.client_id, Object.keys(a.patch))),
  }),
  'client delete': command({
    usage: 'client delete --id CLIENT_ID',
    needsDb: true,
    parse: (argv) => idFlag(argv, 'id'),
    run: (id, infra) => cliAudit(infra!).audited(async (trx) => ({ tenantId: (await tenantStore.findClient(trx, id))?.tenant_id, ...(await deleteClient(trx, id)) }), (r) => tenantAudit.clientDeleted(cliActor(), r.tenantId!, r.client_id)).then(({ tenantId: _t, ...r }) => r),
  }),
  'apikey update': command({
    usage: `apikey update --id ID [--name NAME] [--scope SCOPE…]  (the scopes replace the key's: ${API_SCOPES.join(', ')})`,
    needsDb: true,
    parse(argv) {
      const { values } = flags(argv, { id: { type: 'string' }, name: { type: 'string' }, scope: { type: 'string', multiple: true } });
      const scopes = scopeFlags(values.scope);
      if (values.name === undefined && !scopes) throw new UsageError('give --name and/or --scope');
      return { id: required(values.id, 'id'), patch: { ...(values.name !== undefined ? { name: values.name } : {}), ...(scopes ? { scopes } : {}) } };
    },
    run: async (a, infra) =>
      cliAudit(infra!).audited(
        (trx) => updateApiKey(trx, a.id, a.patch),
        async (r, trx) => tenantAudit.apiKeyUpdated(cliActor(), (await tenantStore.findApiKey(trx, r.id))!.tenant_id, r.id, a.patch),
      ),
  }),
  'apikey delete': command({
    usage: 'apikey delete --id ID  (removes the key; `apikey revoke` keeps it listed as revoked)',
    needsDb: true,
    parse: (argv) => idFlag(argv, 'id'),
    run: (id, infra) => cliAudit(infra!).audited(async (trx) => ({ tenantId: (await tenantStore.findApiKey(trx, id))?.tenant_id, ...(await deleteApiKey(trx, id)) }), (r) => tenantAudit.apiKeyDeleted(cliActor(), r.tenantId!, r.id)).then(({ tenantId: _t, ...r }) => r),
  }),
};
