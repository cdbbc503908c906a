// The operator's pages in the console (operator-routes.ts): the admin's tenants, keys, sanctions lists and staff,
// and the audit trail for auditors and admins. Same layout, stylesheet and strict CSP as the review pages
// (views.ts): no script at all here, every action is a plain form with the console's CSRF token.
import type { AuditLink } from '../audit/chain.js';
import type { VerifyResult } from '../audit/service.js';
import { html, notice } from '../http/html.js';
import { OPERATOR_ROLES, TENANT_ROLES, type Role } from './roles.js';
import type { ApiKeyListing, ClientListing } from '../tenants/service.js';
import { consolePage, type Me } from './views.js';

export interface Tenant {
  id: string;
  name: string;
  created_at: string;
}

const when = (d: Date | string) => `${(typeof d === 'string' ? d : d.toISOString()).slice(0, 16).replace('T', ' ')} UTC`;
const csrf = (me: Me) => html`<input type="hidden" name="csrf" value="${me.csrf}">`;
const flashAndError = (flash?: string, error?: string) => html`${notice(flash, 'info')}${notice(error)}`;

// ---- tenants ----

export function tenantsPage(me: Me, tenants: Tenant[], o: { flash?: string; error?: string } = {}): string {
  const table = tenants.length
    ? html`<div class="table-wrap" tabindex="0"><table class="data">
<caption>Tenants, by name</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Tenant id</th><th scope="col">Created</th></tr></thead>
<tbody>${tenants.map((t) => html`<tr><td><a href="/console/tenants/${t.id}">${t.name}</a></td><td>${t.id}</td><td>${when(t.created_at)}</td></tr>`)}</tbody></table></div>`
    : html`<p>No tenant yet.</p>`;
  return consolePage(
    me,
    'Tenants',
    html`${flashAndError(o.flash, o.error)}${table}
<h2>New tenant</h2>
<form method="post" action="/console/tenants" class="form">${csrf(me)}
  <label for="tenant-name">Name</label><input id="tenant-name" name="name" type="text" required maxlength="200" autocomplete="off">
  <div class="actions"><button type="submit" class="primary">Create the tenant</button></div>
</form>`,
  );
}

export function tenantPage(me: Me, t: Tenant, clients: ClientListing[], keys: ApiKeyListing[], o: { flash?: string; error?: string } = {}): string {
  const clientTable = clients.length
    ? html`<div class="table-wrap" tabindex="0"><table class="data">
<thead><tr><th scope="col">Client id</th><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Redirect URIs</th></tr></thead>
<tbody>${clients.map((c) => html`<tr><td>${c.client_id}</td><td>${c.name ?? '—'}</td><td>${c.public ? 'public' : 'confidential'}</td><td>${c.redirect_uris.join(', ')}</td></tr>`)}</tbody></table></div>`
    : html`<p>No OIDC client.</p>`;
  const keyTable = keys.length
    ? html`<div class="table-wrap" tabindex="0"><table class="data">
<thead><tr><th scope="col">Key</th><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">State</th></tr></thead>
<tbody>${keys.map(
        (k) => html`<tr><td>${k.id} (…${k.last4})</td><td>${k.name ?? '—'}</td><td>${k.scopes.join(', ')}</td><td>${when(k.created_at)}</td><td>${
          k.revoked_at
            ? `revoked ${when(k.revoked_at)}`
            : html`<form class="inline" method="post" action="/console/keys/${k.id}/revoke">${csrf(me)}<button type="submit">Revoke<span class="visually-hidden"> key ${k.id}</span></button></form>`
        }</td></tr>`,
      )}</tbody></table></div>`
    : html`<p>No API key.</p>`;
  return consolePage(
    me,
    `Tenant ${t.name}`,
    html`${flashAndError(o.flash, o.error)}
<dl class="facts"><dt>Tenant id</dt><dd>${t.id}</dd><dt>Created</dt><dd>${when(t.created_at)}</dd></dl>
<form method="post" action="/console/tenants/${t.id}/rename" class="form">${csrf(me)}
  <label for="tenant-name">Name</label><input id="tenant-name" name="name" type="text" required maxlength="200" value="${t.name}" autocomplete="off">
  <div class="actions"><button type="submit">Rename</button></div>
</form>
<h2>OIDC clients</h2>${clientTable}
<h2>API keys</h2><p class="muted">A revoked key stops working at once, everywhere. Keys are created by the tenant's team or with <code>kycport apikey create</code>.</p>${keyTable}
<p><a href="/console/audit?chain=${t.id}">This tenant's audit trail</a></p>`,
  );
}

// ---- sanctions lists ----

export interface ListView {
  name: string;
  entryCount: number;
  importedAt: Date;
  sourceFile: string;
}

export function listsPage(me: Me, lists: ListView[], o: { flash?: string; error?: string; maxMb: number }): string {
  const table = lists.length
    ? html`<div class="table-wrap" tabindex="0"><table class="data">
<caption>Lists screening uses now</caption>
<thead><tr><th scope="col">List</th><th scope="col">Entries</th><th scope="col">Imported at</th><th scope="col">From file</th></tr></thead>
<tbody>${lists.map((l) => html`<tr><td>${l.name}</td><td>${l.entryCount}</td><td>${when(l.importedAt)}</td><td>${l.sourceFile}</td></tr>`)}</tbody></table></div>`
    : html`<p class="notice error">No list is loaded: screening cannot run, and no t2 or t3 approval is possible.</p>`;
  return consolePage(
    me,
    'Sanctions lists',
    html`${flashAndError(o.flash, o.error)}${table}
<h2>Import a list</h2>
<p class="muted">An OpenSanctions FollowTheMoney JSON-lines file or an OFAC <code>sdn.csv</code>, up to ${o.maxMb} MB. A list of the same name is replaced in one step; the same file again changes nothing.</p>
<form method="post" action="/console/lists" enctype="multipart/form-data" class="form">${csrf(me)}
  <label for="list-file">List file</label><input id="list-file" name="file" type="file" required accept=".json,.jsonl,.csv">
  <label for="list-name">List name <small>Optional: by default taken from the file name.</small></label><input id="list-name" name="name" type="text" maxlength="100" autocomplete="off">
  <div class="actions"><button type="submit" class="primary">Import</button></div>
</form>`,
  );
}

// ---- staff ----

export interface StaffRow {
  personId: string;
  email: string;
  role: Role;
  tenantId: string | null;
  grantedAt: Date;
}

export function staffPage(me: Me, rows: StaffRow[], tenants: Tenant[], o: { flash?: string; error?: string } = {}): string {
  const tenantName = new Map(tenants.map((t) => [t.id, t.name]));
  const table = html`<div class="table-wrap" tabindex="0"><table class="data">
<caption>People with a console role, one row per role</caption>
<thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Tenant</th><th scope="col">Since</th><th scope="col">Action</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr><td>${r.email}</td><td>${r.role}</td><td>${r.tenantId ? `${tenantName.get(r.tenantId) ?? ''} (${r.tenantId})` : 'operator'}</td><td>${when(r.grantedAt)}</td><td><form class="inline" method="post" action="/console/staff/revoke">${csrf(me)}<input type="hidden" name="person_id" value="${r.personId}"><input type="hidden" name="role" value="${r.role}"><input type="hidden" name="tenant_id" value="${r.tenantId ?? ''}"><button type="submit">Remove<span class="visually-hidden"> the role ${r.role} of ${r.email}</span></button></form></td></tr>`,
  )}</tbody></table></div>`;
  return consolePage(
    me,
    'Staff',
    html`${flashAndError(o.flash, o.error)}${table}
<h2>Invite</h2>
<p class="muted">The person gets an email: a new account comes with a link to choose a password. Admins and reviewers must turn on two-step sign-in before the console opens for them.</p>
<form method="post" action="/console/staff/invite" class="form">${csrf(me)}
  <label for="invite-email">Email</label><input id="invite-email" name="email" type="email" required autocomplete="off">
  <label for="invite-role">Role</label>
  <select id="invite-role" name="role" required>
    <optgroup label="Operator">${OPERATOR_ROLES.map((r) => html`<option value="${r}">${r}</option>`)}</optgroup>
    <optgroup label="Tenant team (choose the tenant)">${TENANT_ROLES.map((r) => html`<option value="${r}">${r}</option>`)}</optgroup>
  </select>
  <label for="invite-tenant">Tenant <small>Only for a tenant role.</small></label>
  <select id="invite-tenant" name="tenant_id"><option value="">None (operator role)</option>${tenants.map((t) => html`<option value="${t.id}">${t.name} (${t.id})</option>`)}</select>
  <div class="actions"><button type="submit" class="primary">Send the invitation</button></div>
</form>`,
  );
}

// ---- the audit trail ----

/** The trail's filters as the form shows them (strings, '' for none). */
export interface TrailForm {
  chain: string;
  actor_type: string;
  actor_id: string;
  action: string;
  object_type: string;
  object_id: string;
  from: string;
  to: string;
}

export function trailPage(
  me: Me,
  v: { form: TrailForm; query: string; entries: AuditLink[]; next?: string; chains: { value: string; text: string }[]; actorTypes: readonly string[]; verified?: VerifyResult; error?: string },
): string {
  const f = v.form;
  const field = (name: keyof TrailForm, label: string, type = 'text') =>
    html`<div><label for="f-${name}">${label}</label><input id="f-${name}" name="${name}" type="${type}" value="${f[name]}" autocomplete="off"></div>`;
  const filters = html`<form method="get" action="/console/audit" class="filters" aria-label="Filter the trail">
  <div><label for="f-chain">Chain</label><select id="f-chain" name="chain"><option value="">Every chain</option>${v.chains.map((c) => html`<option value="${c.value}"${c.value === f.chain ? html` selected` : ''}>${c.text}</option>`)}</select></div>
  <div><label for="f-actor_type">Actor type</label><select id="f-actor_type" name="actor_type"><option value="">Any</option>${v.actorTypes.map((t) => html`<option value="${t}"${t === f.actor_type ? html` selected` : ''}>${t}</option>`)}</select></div>
  ${field('actor_id', 'Actor id')}${field('action', 'Action')}${field('object_type', 'Object type')}${field('object_id', 'Object id')}${field('from', 'From (UTC day)', 'date')}${field('to', 'To (UTC day, included)', 'date')}
  <div class="actions"><button type="submit" class="primary">Filter</button><a href="/console/audit">Clear the filters</a></div>
</form>`;
  const verified = v.verified
    ? v.verified.ok
      ? html`<p class="notice info" role="status">Chain ${v.verified.chain} is intact: ${v.verified.entries} entries checked, head at ${v.verified.head.seq}.</p>`
      : html`<p class="notice error" role="status">Chain ${v.verified.chain} is BROKEN at entry ${v.verified.broken.seq}${v.verified.broken.id ? ` (${v.verified.broken.id})` : ''}: ${v.verified.broken.reason}, ${v.verified.broken.detail}.</p>`
    : '';
  const rows = v.entries.map(
    (e) => html`<tr><td><time datetime="${e.at.toISOString()}">${e.at.toISOString().replace('T', ' ').slice(0, 19)}</time></td><td>${e.tenant_id ?? 'operator'} #${e.seq}</td><td>${e.actor.type}: ${e.actor.id}</td><td>${e.action}</td><td>${e.object.type}: ${e.object.id}</td><td class="details">${Object.keys(e.details).length ? JSON.stringify(e.details) : ''}</td></tr>`,
  );
  const table = v.entries.length
    ? html`<div class="table-wrap" tabindex="0"><table class="data">
<caption>Audit entries, newest first</caption>
<thead><tr><th scope="col">At (UTC)</th><th scope="col">Chain</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Object</th><th scope="col">Details</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
    : html`<p>No entry matches these filters.</p>`;
  const sep = v.query ? '&' : '';
  const chainToVerify = f.chain || 'operator';
  return consolePage(
    me,
    'Audit trail',
    html`${notice(v.error)}${filters}
<div class="actions">
  <form method="get" action="/console/audit" class="inline">${(Object.keys(f) as (keyof TrailForm)[]).filter((k) => f[k]).map((k) => html`<input type="hidden" name="${k}" value="${f[k]}">`)}<input type="hidden" name="verify" value="1"><button type="submit">Verify the ${chainToVerify === 'operator' ? "operator's" : `tenant ${chainToVerify}`} chain</button></form>
  <a href="/console/audit/export${v.query ? `?${v.query}` : ''}" download>Export these entries (JSON lines)</a>
</div>
${verified}${table}
${v.next ? html`<p><a href="/console/audit?${v.query}${sep}after=${v.next}">Older entries</a></p>` : ''}`,
  );
}
