// The operator's console pages (mounted by routes.ts on the console's router, behind its session and MFA check):
//   admin:           GET/POST /console/tenants, GET /console/tenants/:id, POST /console/tenants/:id/rename,
//                    POST /console/keys/:id/revoke, GET/POST /console/lists (upload + import),
//                    GET /console/staff, POST /console/staff/invite, POST /console/staff/revoke
//   auditor, admin:  GET /console/audit (filters, keyset pages, ?verify=1), GET /console/audit/export (JSON lines)
// Every change goes through the same functions as the CLI (tenants/service.ts, screening/import.ts, staff.ts) and is
// audited with the staff member as actor: the operator's chain for operator things, the tenant's for a key.
// The role is checked before anything else, CSRF next: an auditor's forged POST is a 403 however well formed.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type Router from '@koa/router';
import type Koa from 'koa';
import { koaBody } from 'koa-body';
import { z } from 'zod';
import { ACTOR_TYPES, type AuditActor } from '../audit/chain.js';
import type { AuditService, TrailCursor, TrailFilter } from '../audit/service.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { formBody } from '../http/body.js';
import { ApiError, NotFoundError } from '../http/errors.js';
import { toApiError } from '../http/middleware/errors.js';
import { defaultListName, importListFile } from '../screening/import.js';
import { detectFormat } from '../screening/loaders/index.js';
import { listLists } from '../screening/store.js';
import { tenantAudit } from '../tenants/audit-entries.js';
import { createTenant, listApiKeys, listClients, listTenants, renameTenant, revokeApiKey } from '../tenants/service.js';
import { tenantStore } from '../tenants/store.js';
import { holds, roleSchema, type RoleGrant } from './roles.js';
import type { ConsoleSession } from './session.js';
import type { Staff } from './staff.js';
import { listsPage, staffPage, tenantPage, tenantsPage, trailPage, type TrailForm } from './operator-views.js';
import type { Me } from './views.js';

export interface OperatorDeps {
  db: Database;
  clock: Clock;
  audit: Pick<AuditService, 'audited' | 'record' | 'search' | 'exportFiltered' | 'verify' | 'chains'>;
  staff: Pick<Staff, 'invite' | 'list' | 'revoke'>;
}

type Signed = { session: ConsoleSession; grants: RoleGrant[]; me: Me };

/** What routes.ts lends: its session/role check, page sending and the CSRF check. */
export interface ConsoleKit {
  staffOf: (ctx: Koa.Context) => Promise<Signed | undefined>;
  send: (ctx: Koa.Context, body: string, status?: number) => void;
  checkCsrf: (s: Signed, body: Record<string, unknown>) => void;
}

/** Uploaded list files: OFAC's sdn.csv is a few MB, an OpenSanctions collection can be a few hundred. */
const MAX_LIST_MB = 512;
const TRAIL_PAGE = 50;
const ID = /^[\w-]{1,64}$/;

const opt = z.string().trim().max(200).optional().transform((v) => v || undefined);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().or(z.literal('').transform(() => undefined));
const trailQuery = z.object({
  chain: z.string().regex(ID).optional().or(z.literal('').transform(() => undefined)),
  actor_type: z.enum(ACTOR_TYPES).optional().or(z.literal('').transform(() => undefined)),
  actor_id: opt,
  action: opt,
  object_type: opt,
  object_id: opt,
  from: day,
  to: day,
  after: z.string().max(300).optional(),
  verify: z.literal('1').optional(),
});
const cursorSchema = z.object({ at: z.string().datetime(), chain: z.string(), seq: z.number().int() });
const nameForm = z.object({ name: z.string().trim().min(1, 'Give a name.').max(200) });
const inviteForm = z.object({ email: z.string().trim().email('Give a valid email address.'), role: roleSchema, tenant_id: z.string().regex(ID).optional().or(z.literal('').transform(() => undefined)) });
const revokeForm = z.object({ person_id: z.string().regex(ID), role: roleSchema, tenant_id: z.string().regex(ID).optional().or(z.literal('').transform(() => undefined)) });

const FLASH: Record<string, string> = {
  created: 'The tenant was created.',
  renamed: 'The tenant was renamed.',
  revoked: 'The API key was revoked.',
  imported: 'The list was imported.',
  unchanged: 'This file was imported before: nothing changed.',
  invited: 'The invitation was sent.',
  removed: 'The role was removed.',
};
const flashOf = (ctx: Koa.Context) => (typeof ctx.query.done === 'string' ? FLASH[ctx.query.done] : undefined);

/** Refusals a person can fix (bad input, unknown thing, conflict): shown on the page, not as an error page. */
const fixable = (err: unknown): ApiError | undefined => {
  const e = toApiError(err);
  return [400, 404, 409, 422].includes(e.status) ? e : undefined;
};

export function mountOperatorRoutes(router: Router, kit: ConsoleKit, d: OperatorDeps): void {
  const knex = d.db.knex;
  const actorOf = (s: Signed): AuditActor => ({ type: 'staff', id: s.session.pid });

  async function withRole(ctx: Koa.Context, roles: readonly ('admin' | 'auditor')[], what: string): Promise<Signed | undefined> {
    const s = await kit.staffOf(ctx);
    if (s && !holds(s.grants, roles)) throw new ApiError(403, 'forbidden', what);
    return s;
  }
  const admin = (ctx: Koa.Context) => withRole(ctx, ['admin'], "These pages are for the operator's admins.");
  const reader = (ctx: Koa.Context) => withRole(ctx, ['auditor', 'admin'], "The audit trail is for the operator's auditors and admins.");
  /** Role first (before the body is even read), then the body, then its CSRF token. */
  const adminPost = (parse: Koa.Middleware = formBody()): Koa.Middleware => async (ctx, next) => {
    const s = await admin(ctx);
    if (!s) return;
    await parse(ctx, async () => {
      kit.checkCsrf(s, (ctx.request.body ?? {}) as Record<string, unknown>);
      ctx.state.staff = s;
      await next();
    });
  };
  const signedOf = (ctx: Koa.Context) => ctx.state.staff as Signed;
  /** The page's flash (after a redirect) and error (a refusal shown on the page). */
  const notes = (ctx: Koa.Context, error?: string) => {
    const flash = flashOf(ctx);
    return { ...(flash ? { flash } : {}), ...(error ? { error } : {}) };
  };
  type Show = (ctx: Koa.Context & { params: Record<string, string> }, s: Signed, error?: string, status?: number) => Promise<void>;
  /** Runs a change; a refusal the admin can fix is shown on the page (false), anything else is an error page. */
  const orShow = async (ctx: Koa.Context & { params: Record<string, string> }, s: Signed, show: Show, change: () => Promise<unknown>): Promise<boolean> => {
    try {
      await change();
      return true;
    } catch (err) {
      const e = fixable(err);
      if (!e) throw err;
      await show(ctx, s, e.message, e.status);
      return false;
    }
  };
  const back = (ctx: Koa.Context, to: string) => {
    ctx.status = 303;
    ctx.redirect(to);
  };

  // ---- tenants ----

  const showTenants: Show = async (ctx, s, error, status = 200) => kit.send(ctx, tenantsPage(s.me, await listTenants(knex), notes(ctx, error)), status);

  router.post('/tenants', adminPost(), async (ctx) => {
    const s = signedOf(ctx);
    const form = nameForm.safeParse(ctx.request.body);
    if (!form.success) return showTenants(ctx, s, 'Give the tenant a name.', 400);
    const r = await d.audit.audited((trx) => createTenant(trx, form.data.name), (t) => tenantAudit.tenantCreated(actorOf(s), t.tenant_id, form.data.name));
    back(ctx, `/console/tenants/${r.tenant_id}?done=created`);
  });

  const tenantIdOf = (ctx: Koa.Context & { params: Record<string, string> }) => {
    const id = ctx.params.id ?? '';
    if (!ID.test(id)) throw new NotFoundError('Tenant');
    return id;
  };

  const showTenant: Show = async (ctx, s, error, status = 200) => {
    const id = tenantIdOf(ctx);
    const t = await tenantStore.findTenant(knex, id);
    if (!t) throw new NotFoundError('Tenant');
    const [clients, keys] = await Promise.all([listClients(knex, id), listApiKeys(knex, id)]);
    kit.send(ctx, tenantPage(s.me, { id: t.id, name: t.name, created_at: t.created_at.toISOString() }, clients, keys, notes(ctx, error)), status);
  };

  router.post('/tenants/:id/rename', adminPost(), async (ctx) => {
    const s = signedOf(ctx);
    const form = nameForm.safeParse(ctx.request.body);
    if (!form.success) return showTenant(ctx, s, 'Give the tenant a name.', 400);
    const id = tenantIdOf(ctx);
    await d.audit.audited((trx) => renameTenant(trx, id, form.data.name), (r) => tenantAudit.tenantUpdated(actorOf(s), r.id, r.name));
    back(ctx, `/console/tenants/${id}?done=renamed`);
  });

  router.post('/keys/:id/revoke', adminPost(), async (ctx) => {
    const s = signedOf(ctx);
    const id = ctx.params.id ?? '';
    const key = ID.test(id) ? await tenantStore.findApiKey(knex, id) : undefined;
    if (!key) throw new NotFoundError('API key');
    // On the tenant's chain: the key is the tenant's thing, revoked by the operator's admin.
    await d.audit.audited((trx) => revokeApiKey(trx, d.clock, id), (r) => tenantAudit.apiKeyRevoked(actorOf(s), key.tenant_id, r.id));
    back(ctx, `/console/tenants/${key.tenant_id}?done=revoked`);
  });

  // ---- sanctions lists ----

  const showLists: Show = async (ctx, s, error, status = 200) => kit.send(ctx, listsPage(s.me, await listLists(knex), { maxMb: MAX_LIST_MB, ...notes(ctx, error) }), status);

  const upload = koaBody({ multipart: true, urlencoded: false, json: false, text: false, formidable: { maxFiles: 1, maxFileSize: MAX_LIST_MB * 1024 * 1024, maxFields: 5 } });
  router.post('/lists', adminPost(upload), async (ctx) => {
    const s = signedOf(ctx);
    const files = ctx.request.files?.file;
    const file = Array.isArray(files) ? files[0] : files;
    try {
      if (!file || !file.size) return await showLists(ctx, s, 'Choose a list file to upload.', 400);
      const format = await detectFormat(file.filepath);
      if (format !== 'ftm' && format !== 'ofac-sdn') return await showLists(ctx, s, 'This is not an OpenSanctions FtM JSON-lines file or an OFAC sdn.csv.', 422);
      const given = typeof (ctx.request.body as Record<string, unknown>).name === 'string' ? ((ctx.request.body as Record<string, string>).name ?? '').trim() : '';
      const original = file.originalFilename ?? 'list';
      const r = await importListFile(d.db, file.filepath, {
        format,
        name: given || defaultListName(original, format),
        clock: d.clock,
        // As `kycport lists import` writes it, with the uploaded file's own name (not the temporary path).
        onImported: (trx, rep) =>
          d.audit.record(
            { tenantId: null, actor: actorOf(s), action: 'sanctions_list.imported', object: { type: 'sanctions_list', id: rep.list }, details: { format: rep.format, file: original, sha256: rep.sha256, entries: rep.entries, replaced_previous: rep.replaced_previous } },
            trx,
          ),
      });
      back(ctx, `/console/lists?done=${r.status}`);
    } catch (err) {
      const e = fixable(err);
      if (!e) throw err;
      await showLists(ctx, s, e.message, e.status);
    } finally {
      if (file) fs.rm(file.filepath, { force: true }, () => undefined);
    }
  });

  // ---- staff ----

  const showStaff: Show = async (ctx, s, error, status = 200) => kit.send(ctx, staffPage(s.me, await d.staff.list(), await listTenants(knex), notes(ctx, error)), status);

  for (const [path, show] of [['/tenants', showTenants], ['/tenants/:id', showTenant], ['/lists', showLists], ['/staff', showStaff]] as const) {
    router.get(path, async (ctx) => {
      const s = await admin(ctx);
      if (s) await show(ctx, s);
    });
  }

  router.post('/staff/invite', adminPost(), async (ctx) => {
    const s = signedOf(ctx);
    const form = inviteForm.safeParse(ctx.request.body);
    if (!form.success) return showStaff(ctx, s, form.error.issues[0]?.message ?? 'Check the form.', 400);
    const invite = { email: form.data.email, role: form.data.role, ...(form.data.tenant_id ? { tenantId: form.data.tenant_id } : {}), grantedBy: s.session.pid, actor: actorOf(s) };
    if (await orShow(ctx, s, showStaff, () => d.staff.invite(invite))) back(ctx, '/console/staff?done=invited');
  });

  router.post('/staff/revoke', adminPost(), async (ctx) => {
    const s = signedOf(ctx);
    const form = revokeForm.safeParse(ctx.request.body);
    if (!form.success) return showStaff(ctx, s, 'That role grant is not known.', 400);
    const grant = { personId: form.data.person_id, role: form.data.role, tenantId: form.data.tenant_id ?? null, actor: actorOf(s) };
    if (await orShow(ctx, s, showStaff, () => d.staff.revoke(grant))) back(ctx, '/console/staff?done=removed');
  });

  // ---- the audit trail ----

  function trailFilter(ctx: Koa.Context): { q: z.infer<typeof trailQuery>; filter: TrailFilter; form: TrailForm; query: string; error?: string } {
    const parsed = trailQuery.safeParse(ctx.query);
    const q = parsed.success ? parsed.data : trailQuery.parse({});
    const to = q.to ? new Date(`${q.to}T00:00:00Z`) : undefined;
    to?.setUTCDate(to.getUTCDate() + 1);
    const filter: TrailFilter = {
      ...(q.chain ? { chain: q.chain } : {}),
      ...(q.actor_type ? { actorType: q.actor_type } : {}),
      ...(q.actor_id ? { actorId: q.actor_id } : {}),
      ...(q.action ? { action: q.action } : {}),
      ...(q.object_type ? { objectType: q.object_type } : {}),
      ...(q.object_id ? { objectId: q.object_id } : {}),
      ...(q.from ? { from: new Date(`${q.from}T00:00:00Z`) } : {}),
      ...(to ? { to } : {}),
    };
    const form: TrailForm = { chain: q.chain ?? '', actor_type: q.actor_type ?? '', actor_id: q.actor_id ?? '', action: q.action ?? '', object_type: q.object_type ?? '', object_id: q.object_id ?? '', from: q.from ?? '', to: q.to ?? '' };
    const query = new URLSearchParams(Object.entries(form).filter(([, v]) => v)).toString();
    return { q, filter, form, query, ...(parsed.success ? {} : { error: 'Some filters were not understood and were left out (dates are YYYY-MM-DD).' }) };
  }

  const decodeCursor = (raw: string | undefined): TrailCursor | undefined => {
    if (!raw) return undefined;
    try {
      const c = cursorSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
      return { at: new Date(c.at), chain: c.chain, seq: c.seq };
    } catch {
      return undefined;
    }
  };
  const encodeCursor = (c: TrailCursor) => Buffer.from(JSON.stringify({ at: c.at.toISOString(), chain: c.chain, seq: c.seq })).toString('base64url');

  router.get('/audit', async (ctx) => {
    const s = await reader(ctx);
    if (!s) return;
    const t = trailFilter(ctx);
    const after = decodeCursor(t.q.after);
    const [page, chains, tenants] = await Promise.all([d.audit.search(t.filter, { ...(after ? { after } : {}), limit: TRAIL_PAGE }), d.audit.chains(), listTenants(knex)]);
    const names = new Map(tenants.map((x) => [x.id, x.name]));
    const verified = t.q.verify ? await d.audit.verify(t.filter.chain && t.filter.chain !== 'operator' ? t.filter.chain : null) : undefined;
    kit.send(
      ctx,
      trailPage(s.me, {
        form: t.form,
        query: t.query,
        entries: page.entries,
        ...(page.next ? { next: encodeCursor(page.next) } : {}),
        chains: [{ value: 'operator', text: "The operator's chain" }, ...chains.filter((c): c is string => c !== null).map((c) => ({ value: c, text: `Tenant ${names.get(c) ?? ''} (${c})` }))],
        actorTypes: ACTOR_TYPES,
        ...(verified ? { verified } : {}),
        ...(t.error ? { error: t.error } : {}),
      }),
    );
  });

  router.get('/audit/export', async (ctx) => {
    const s = await reader(ctx);
    if (!s) return;
    const { filter } = trailFilter(ctx);
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Disposition', `attachment; filename="kycport-audit-${d.clock.now().toISOString().slice(0, 10)}.jsonl"`);
    ctx.type = 'application/jsonl';
    // Streamed page by page (keyset): a five-year range never sits in memory whole.
    const lines = d.audit.exportFiltered(filter);
    ctx.body = Readable.from((async function* () {
      for await (const line of lines) yield `${line}\n`;
    })());
  });
}
