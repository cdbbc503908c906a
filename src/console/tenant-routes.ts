// The tenant team's self-service in the console, under /console/t/:tenant:
//   GET  /                          the tenant's sections
//   GET  /keys, POST /keys          API keys: list; create with scopes (the key shown once, no-store)
//   POST /keys/:id/revoke
//   GET  /clients, POST /clients    OIDC clients: list; create (the secret shown once)
//   POST /clients/:id               redirect URIs and post-logout redirect URIs
//   POST /clients/:id/rotate|delete
//   GET  /webhooks                  endpoints and their recent deliveries
//   POST /webhooks/:ep/events/:ev/redeliver
//   GET  /activity                  sessions and cases, outcome only
//   GET  /branding, POST /branding
//   GET  /usage, GET /usage.csv     per month: verifications, status lookups, webhook deliveries
// Every route checks on the server that the signed-in person holds a role in THIS tenant; every change needs
// owner or developer (a viewer's POST is refused before anything else, CSRF included). Changes go through the
// same functions as the CLI, in one transaction with their audit entry on the tenant's chain, actor the staff
// member.
import type Router from '@koa/router';
import type Koa from 'koa';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { AuditRecorder } from '../audit/service.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { formBody } from '../http/body.js';
import { checkFormToken } from '../http/form-token.js';
import { ApiError, NotFoundError } from '../http/errors.js';
import { apiScope } from '../http/scopes.js';
import { tenantAudit } from '../tenants/audit-entries.js';
import { getBranding, setBranding } from '../tenants/branding.js';
import { createApiKey, createClient, deleteClient, listApiKeys, listClients, revokeApiKey, rotateClientSecret, updateClient } from '../tenants/service.js';
import { tenantStore } from '../tenants/store.js';
import { usageByMonth, usageCsv } from '../usage/report.js';
import type { CaseService } from '../verification/cases/service.js';
import type { SessionService } from '../verification/sessions/service.js';
import type { WebhookService } from '../webhooks/service.js';
import { TENANT_ROLES, type RoleGrant, type TenantRole } from './roles.js';
import { activityPage, brandingPage, clientsPage, keysPage, mayChange, secretPage, tenantHomePage, usagePage, webhooksPage, type TenantCtx } from './tenant-views.js';
import type { Me } from './views.js';

export interface TenantPageDeps {
  /** The tenants' functions run on it, inside the audit's transaction (as the CLI runs them). */
  db: Knex;
  config: Pick<Config, 'isProduction'>;
  clock: Clock;
  audit: Pick<AuditRecorder, 'audited' | 'record'>;
  webhooks: Pick<WebhookService, 'listEndpoints' | 'listAttempts' | 'redeliverEvent'>;
  cases: Pick<CaseService, 'list'>;
  sessions: Pick<SessionService, 'list'>;
}

/** What routes.ts lends: the signed-in staff member (or a redirect/refusal already sent), and page sending. */
export interface ConsoleKit {
  staffOf(ctx: Koa.Context): Promise<{ session: { pid: string }; grants: RoleGrant[]; me: Me } | undefined>;
  send(ctx: Koa.Context, body: string, status?: number): void;
}

const ID = /^[\w-]{1,64}$/;
const RECENT = 50;
const ATTEMPTS = 10;

const uriLines = z
  .string()
  .optional()
  .transform((s) => (s ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean));
const keyForm = z.object({
  name: z.string().trim().max(100).optional(),
  scopes: z.union([apiScope, z.array(apiScope)]).optional().transform((s) => (s === undefined ? [] : Array.isArray(s) ? s : [s])),
});
const clientForm = z.object({ name: z.string().trim().max(100).optional(), redirect_uris: uriLines, post_logout_redirect_uris: uriLines, type: z.enum(['confidential', 'public']).default('confidential') });
const urisForm = z.object({ redirect_uris: uriLines, post_logout_redirect_uris: uriLines });
const brandingForm = z.object({ display_name: z.string().max(100).optional(), accent_color: z.string().trim().optional() });

const FLASH: Record<string, string> = {
  revoked: 'The key was revoked: it stops working at once.',
  saved: 'Saved.',
  deleted: 'The client was deleted.',
  redelivered: 'The event is queued for delivery again.',
};

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new ApiError(400, 'invalid_form', `Check the ${what}: ${r.error.issues.map((i) => i.message).join('; ')}.`);
  return r.data;
}

export function mountTenantPages(router: Router, kit: ConsoleKit, d: TenantPageDeps): void {
  type Ctx = Koa.Context & { params: Record<string, string> };
  type Member = TenantCtx & { personId: string };

  /** The signed-in person's role in the tenant named by the path; 403 for anyone else (other tenants, operator staff). */
  async function member(ctx: Ctx): Promise<Member | undefined> {
    const s = await kit.staffOf(ctx);
    if (!s) return undefined;
    const tenantId = ctx.params.tenant ?? '';
    // The strongest of the person's roles in this tenant (owner > developer > viewer).
    const role: TenantRole | undefined = TENANT_ROLES.find((r) => s.grants.some((g) => g.tenantId === tenantId && g.role === r));
    if (!ID.test(tenantId) || !role) throw new ApiError(403, 'forbidden', 'You have no role in this tenant.');
    const tenant = await tenantStore.findTenant(d.db, tenantId);
    if (!tenant) throw new NotFoundError('Tenant');
    return { me: s.me, tenantId, tenantName: tenant.name, role, personId: s.session.pid };
  }

  /** A change: owner or developer, then the form's CSRF token. */
  async function changer(ctx: Ctx): Promise<Member | undefined> {
    const m = await member(ctx);
    if (!m) return undefined;
    if (!mayChange(m.role)) throw new ApiError(403, 'forbidden', 'Viewers cannot change this tenant: ask an owner or a developer.');
    checkFormToken(m.me.csrf, (ctx.request.body as Record<string, unknown> | undefined)?.csrf);
    return m;
  }

  const actor = (m: Member) => ({ type: 'staff' as const, id: m.personId });
  const idParam = (ctx: Ctx, name: string, what: string) => {
    const v = ctx.params[name] ?? '';
    if (!ID.test(v)) throw new NotFoundError(what);
    return v;
  };
  const back = (ctx: Koa.Context, m: Member, section: string, flash?: string) => {
    ctx.status = 303;
    ctx.redirect(`/console/t/${m.tenantId}/${section}${flash ? `?done=${flash}` : ''}`);
  };
  const flashOf = (ctx: Koa.Context) => (typeof ctx.query.done === 'string' ? FLASH[ctx.query.done] : undefined);
  const showSecret = (ctx: Koa.Context, body: string) => {
    ctx.set('Cache-Control', 'no-store');
    kit.send(ctx, body, 201);
  };
  /** The client, if it is this tenant's (another tenant's id is simply not found). */
  async function ownClient(m: Member, ctx: Ctx): Promise<string> {
    const id = idParam(ctx, 'id', 'Client');
    const row = await tenantStore.findClient(d.db, id);
    if (row?.tenant_id !== m.tenantId) throw new NotFoundError('Client');
    return id;
  }

  const T = '/t/:tenant';
  /** A page any member of the tenant may see. */
  const page = (path: string, render: (m: Member, ctx: Ctx) => Promise<string> | string) =>
    router.get(`${T}${path}`, async (ctx) => {
      const m = await member(ctx);
      if (m) kit.send(ctx, await render(m, ctx));
    });
  /** A change from a form: an owner or a developer, with the form's CSRF token. */
  const change = (path: string, run: (m: Member, ctx: Ctx) => Promise<void>) =>
    router.post(`${T}${path}`, formBody(), async (ctx) => {
      const m = await changer(ctx);
      if (m) await run(m, ctx);
    });

  page('', (m) => tenantHomePage(m));

  // ---- API keys ----
  page('/keys', async (m, ctx) => keysPage(m, await listApiKeys(d.db, m.tenantId), flashOf(ctx)));
  change('/keys', async (m, ctx) => {
    const f = parse(keyForm, ctx.request.body, 'key form');
    if (!f.scopes.length) throw new ApiError(400, 'invalid_scope', 'Choose at least one scope for the key.');
    const input = { tenantId: m.tenantId, scopes: f.scopes, ...(f.name ? { name: f.name } : {}) };
    const r = await d.audit.audited((trx) => createApiKey(trx, input), (k) => tenantAudit.apiKeyCreated(actor(m), m.tenantId, k.id, input.name, k.scopes));
    showSecret(ctx, secretPage(m, 'keys', 'Your new API key', 'API key', r.api_key, [['Name', f.name || '—'], ['Scopes', r.scopes.join(' ')]]));
  });
  change('/keys/:id/revoke', async (m, ctx) => {
    const id = idParam(ctx, 'id', 'API key');
    if ((await tenantStore.findApiKey(d.db, id))?.tenant_id !== m.tenantId) throw new NotFoundError('API key');
    await d.audit.audited((trx) => revokeApiKey(trx, d.clock, id), () => tenantAudit.apiKeyRevoked(actor(m), m.tenantId, id));
    back(ctx, m, 'keys', 'revoked');
  });

  // ---- clients ----
  page('/clients', async (m, ctx) => clientsPage(m, await listClients(d.db, m.tenantId), flashOf(ctx)));
  change('/clients', async (m, ctx) => {
    const f = parse(clientForm, ctx.request.body, 'client form');
    const input = { tenantId: m.tenantId, redirectUris: f.redirect_uris, postLogoutRedirectUris: f.post_logout_redirect_uris, public: f.type === 'public', ...(f.name ? { name: f.name } : {}) };
    const r = await d.audit.audited(
      (trx) => createClient(trx, d.config, input),
      (c) => tenantAudit.clientCreated(actor(m), m.tenantId, c.client_id, { public: input.public, redirect_uris: input.redirectUris }),
    );
    if (!r.client_secret) return back(ctx, m, 'clients', 'saved');
    showSecret(ctx, secretPage(m, 'clients', 'Your new client', 'client secret', r.client_secret, [['Client id', r.client_id]]));
  });
  change('/clients/:id', async (m, ctx) => {
    const id = await ownClient(m, ctx);
    const f = parse(urisForm, ctx.request.body, 'redirect URIs');
    await d.audit.audited(
      (trx) => updateClient(trx, d.config, id, { redirectUris: f.redirect_uris, postLogoutRedirectUris: f.post_logout_redirect_uris }),
      () => tenantAudit.clientUpdated(actor(m), m.tenantId, id, ['redirectUris', 'postLogoutRedirectUris']),
    );
    back(ctx, m, 'clients', 'saved');
  });
  change('/clients/:id/rotate', async (m, ctx) => {
    const id = await ownClient(m, ctx);
    const r = await d.audit.audited((trx) => rotateClientSecret(trx, id), () => tenantAudit.clientSecretRotated(actor(m), m.tenantId, id));
    showSecret(ctx, secretPage(m, 'clients', 'New client secret', 'client secret', r.client_secret, [['Client id', id], ['The old secret', 'no longer works']]));
  });
  change('/clients/:id/delete', async (m, ctx) => {
    const id = await ownClient(m, ctx);
    await d.audit.audited((trx) => deleteClient(trx, id), () => tenantAudit.clientDeleted(actor(m), m.tenantId, id));
    back(ctx, m, 'clients', 'deleted');
  });

  // ---- webhooks ----
  page('/webhooks', async (m, ctx) => {
    const endpoints = await d.webhooks.listEndpoints(m.tenantId);
    const withAttempts = await Promise.all(endpoints.map(async (endpoint) => ({ endpoint, attempts: (await d.webhooks.listAttempts(m.tenantId, endpoint.id, { limit: ATTEMPTS })).data })));
    return webhooksPage(m, withAttempts, flashOf(ctx));
  });
  change('/webhooks/:ep/events/:ev/redeliver', async (m, ctx) => {
    const endpointId = idParam(ctx, 'ep', 'Webhook endpoint');
    const eventId = idParam(ctx, 'ev', 'Event');
    // The webhooks service checks both belong to this tenant (404 otherwise), as for the API's redeliver.
    const r = await d.webhooks.redeliverEvent(m.tenantId, eventId, { endpointId });
    await d.audit.record({ tenantId: m.tenantId, actor: actor(m), action: 'webhook.redelivered', object: { type: 'webhook_event', id: eventId }, details: { endpoint_id: endpointId, deliveries: r.webhook_ids.length } });
    back(ctx, m, 'webhooks', 'redelivered');
  });

  // ---- sessions and cases ----
  page('/activity', async (m) => {
    const [sessions, cases] = await Promise.all([d.sessions.list({ tenantId: m.tenantId, limit: RECENT }), d.cases.list({ tenantId: m.tenantId, limit: RECENT })]);
    return activityPage(m, sessions.rows, cases.rows);
  });

  // ---- branding ----
  page('/branding', async (m, ctx) => brandingPage(m, await getBranding(d.db, m.tenantId), flashOf(ctx)));
  change('/branding', async (m, ctx) => {
    const f = parse(brandingForm, ctx.request.body, 'branding');
    const fields = { ...(f.display_name !== undefined ? { displayName: f.display_name } : {}), ...(f.accent_color ? { accentColor: f.accent_color } : {}) };
    await d.audit.audited((trx) => setBranding(trx, m.tenantId, fields), () => tenantAudit.brandingChanged(actor(m), m.tenantId, Object.keys(fields)));
    back(ctx, m, 'branding', 'saved');
  });

  // ---- usage ----
  page('/usage', async (m) => usagePage(m, await usageByMonth(d.db, m.tenantId, d.clock.now())));
  router.get(`${T}/usage.csv`, async (ctx) => {
    const m = await member(ctx);
    if (!m) return;
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="kycport-usage-${m.tenantId}.csv"`);
    ctx.body = usageCsv(await usageByMonth(d.db, m.tenantId, d.clock.now()));
  });
}
