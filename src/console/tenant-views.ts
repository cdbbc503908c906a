// The tenant team's self-service pages (tenant-routes.ts): API keys, clients, webhook endpoints, sessions and
// cases (outcome only), branding and usage. Same layout and stylesheet as the rest of the console, no inline
// script or style. Secrets (a new key, a client secret) appear once, on the page answering the change.
import { html, notice, type Html } from '../http/html.js';
import { API_SCOPES } from '../http/scopes.js';
import type { Branding } from '../tenants/branding.js';
import type { UsageMonth } from '../usage/report.js';
import type { CaseRow } from '../verification/cases/store.js';
import type { SessionRow } from '../verification/sessions/store.js';
import type { AttemptView, EndpointView } from '../webhooks/service.js';
import type { TenantRole } from './roles.js';
import type { ApiKeyListing, ClientListing } from '../tenants/service.js';
import { consolePage, type Me } from './views.js';

export interface TenantCtx {
  me: Me;
  tenantId: string;
  tenantName: string;
  role: TenantRole;
}

const SECTIONS = [
  ['keys', 'API keys'],
  ['clients', 'Clients'],
  ['webhooks', 'Webhooks'],
  ['activity', 'Sessions and cases'],
  ['branding', 'Branding'],
  ['usage', 'Usage'],
] as const;
export type Section = (typeof SECTIONS)[number][0];

export const mayChange = (role: TenantRole) => role === 'owner' || role === 'developer';
const day = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString().slice(0, 16).replace('T', ' ') : '—');

function tenantPage(t: TenantCtx, section: Section | null, title: string, body: Html): string {
  const sub = html`<nav class="tenant-nav" aria-label="${t.tenantName}">${SECTIONS.map(
    ([s, text]) => html`<a href="/console/t/${t.tenantId}/${s}"${s === section ? html` aria-current="page"` : ''}>${text}</a>`,
  )}</nav>
<p class="muted">${t.tenantName} (${t.tenantId}) · your role: ${t.role}${mayChange(t.role) ? '' : ' (read-only)'}</p>`;
  return consolePage(t.me, title, html`${sub}${body}`);
}

const csrf = (t: TenantCtx) => html`<input type="hidden" name="csrf" value="${t.me.csrf}">`;
const button = (t: TenantCtx, action: string, text: string, hidden?: string) =>
  mayChange(t.role)
    ? html`<form class="inline" method="post" action="${action}">${csrf(t)}<button type="submit">${text}${hidden ? html`<span class="visually-hidden"> ${hidden}</span>` : ''}</button></form>`
    : '';

export const tenantHomePage = (t: TenantCtx) =>
  tenantPage(t, null, t.tenantName, html`<p>Manage your integration with KYCPort: choose a section above.</p>`);

// ---- API keys ----

export function keysPage(t: TenantCtx, keys: ApiKeyListing[], flash?: string): string {
  const rows = keys.map(
    (k) => html`<tr><td>${k.name ?? '—'}</td><td><code>…${k.last4}</code></td><td>${k.scopes.join(' ')}</td><td>${day(k.created_at)}</td><td>${k.revoked_at ? day(k.revoked_at) : 'active'}</td>
<td>${k.revoked_at ? '' : button(t, `/console/t/${t.tenantId}/keys/${k.id}/revoke`, 'Revoke', `key …${k.last4}`)}</td></tr>`,
  );
  const form = mayChange(t.role)
    ? html`<h2>Create a key</h2>
<form method="post" action="/console/t/${t.tenantId}/keys" class="form">${csrf(t)}
  <label for="key-name">Name <small>To tell your keys apart.</small></label>
  <input id="key-name" name="name" maxlength="100">
  <fieldset><legend>Scopes</legend>${API_SCOPES.map((s) => html`<label class="choice"><input type="checkbox" name="scopes" value="${s}"> <code>${s}</code></label>`)}</fieldset>
  <div class="actions"><button type="submit" class="primary">Create the key</button></div>
</form>`
    : html`<p class="muted">Viewers cannot create or revoke keys.</p>`;
  return tenantPage(
    t,
    'keys',
    'API keys',
    html`${notice(flash, 'info')}${keys.length ? html`<div class="table-wrap" tabindex="0"><table class="data tenant-table"><caption>Keys of this tenant; the key itself is never shown again after creation.</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Ends in</th><th scope="col">Scopes</th><th scope="col">Created (UTC)</th><th scope="col">Revoked</th><th scope="col">Action</th></tr></thead>
<tbody>${rows}</tbody></table></div>` : html`<p>No API keys yet.</p>`}${form}`,
  );
}

/** The one page that shows a secret: served with Cache-Control: no-store. */
export const secretPage = (t: TenantCtx, section: Section, title: string, label: string, secret: string, facts: [string, string][]) =>
  tenantPage(
    t,
    section,
    title,
    html`<p class="notice info" role="status">Copy the ${label} now: it is shown only this once and KYCPort keeps only its hash.</p>
<dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}<dt>${label[0]!.toUpperCase() + label.slice(1)}</dt><dd><code class="secret">${secret}</code></dd></dl>
<p><a href="/console/t/${t.tenantId}/${section}">Back to ${section === 'keys' ? 'the keys' : 'the clients'}</a></p>`,
  );

// ---- clients ----

const lines = (list: string[]) => list.join('\n');

export function clientsPage(t: TenantCtx, clients: ClientListing[], flash?: string): string {
  const edit = mayChange(t.role);
  const items = clients.map((c) => {
    const base = `/console/t/${t.tenantId}/clients/${c.client_id}`;
    return html`<article class="item"><h3>${c.name ?? c.client_id}</h3>
<dl class="facts"><dt>Client id</dt><dd><code>${c.client_id}</code></dd><dt>Type</dt><dd>${c.public ? 'public (PKCE, no secret)' : 'confidential'}</dd>
${edit ? '' : html`<dt>Redirect URIs</dt><dd>${c.redirect_uris.join(', ')}</dd><dt>Post-logout redirect URIs</dt><dd>${c.post_logout_redirect_uris.join(', ') || '—'}</dd>`}</dl>
${
  edit
    ? html`<form method="post" action="${base}" class="form">${csrf(t)}
  <label for="ru-${c.client_id}">Redirect URIs <small>One per line, all on one host.</small></label>
  <textarea id="ru-${c.client_id}" name="redirect_uris" rows="2" required>${lines(c.redirect_uris)}</textarea>
  <label for="plru-${c.client_id}">Post-logout redirect URIs <small>One per line; may be empty.</small></label>
  <textarea id="plru-${c.client_id}" name="post_logout_redirect_uris" rows="2">${lines(c.post_logout_redirect_uris)}</textarea>
  <div class="actions"><button type="submit">Save the URIs<span class="visually-hidden"> of ${c.client_id}</span></button></div>
</form>
<p>${c.public ? '' : button(t, `${base}/rotate`, 'Rotate the secret', `of ${c.client_id}`)} ${button(t, `${base}/delete`, 'Delete', `client ${c.client_id}`)}</p>`
    : ''
}</article>`;
  });
  const form = edit
    ? html`<h2>Create a client</h2>
<form method="post" action="/console/t/${t.tenantId}/clients" class="form">${csrf(t)}
  <label for="client-name">Name</label><input id="client-name" name="name" maxlength="100">
  <label for="client-ru">Redirect URIs <small>One per line, all on one host.</small></label>
  <textarea id="client-ru" name="redirect_uris" rows="2" required></textarea>
  <label for="client-plru">Post-logout redirect URIs <small>One per line; may be empty.</small></label>
  <textarea id="client-plru" name="post_logout_redirect_uris" rows="2"></textarea>
  <fieldset><legend>Type</legend>
    <label class="choice"><input type="radio" name="type" value="confidential" checked> Confidential (a server holds a secret)</label>
    <label class="choice"><input type="radio" name="type" value="public"> Public (browser or mobile app, PKCE)</label>
  </fieldset>
  <div class="actions"><button type="submit" class="primary">Create the client</button></div>
</form>`
    : html`<p class="muted">Viewers cannot change clients.</p>`;
  return tenantPage(t, 'clients', 'Clients', html`${notice(flash, 'info')}${clients.length ? items : html`<p>No clients yet.</p>`}${form}`);
}

// ---- webhooks ----

export function webhooksPage(t: TenantCtx, endpoints: { endpoint: EndpointView; attempts: AttemptView[] }[], flash?: string): string {
  const body = endpoints.map(
    ({ endpoint: e, attempts }) => html`<article class="item"><h2>${e.url}</h2>
<dl class="facts"><dt>Events</dt><dd>${e.events.join(', ')}</dd><dt>State</dt><dd>${e.enabled ? 'enabled' : `disabled${e.disabled_reason ? ` (${e.disabled_reason})` : ''}`}</dd></dl>
${
  attempts.length
    ? html`<div class="table-wrap" tabindex="0"><table class="data tenant-table"><caption>Recent deliveries to ${e.url}, newest first</caption>
<thead><tr><th scope="col">When (UTC)</th><th scope="col">Event</th><th scope="col">Attempt</th><th scope="col">Answer</th><th scope="col">Action</th></tr></thead>
<tbody>${attempts.map(
        (a) => html`<tr><td>${day(a.created_at)}</td><td><code>${a.event_id ?? '—'}</code></td><td>${a.attempt ?? '—'}</td><td>${a.status_code ?? a.error ?? '—'}</td>
<td>${a.event_id && e.enabled ? button(t, `/console/t/${t.tenantId}/webhooks/${e.id}/events/${a.event_id}/redeliver`, 'Redeliver', a.event_id) : ''}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="muted">No deliveries yet.</p>`
}</article>`,
  );
  return tenantPage(t, 'webhooks', 'Webhook endpoints', html`${notice(flash, 'info')}${endpoints.length ? body : html`<p>No webhook endpoints. They are created through the API (<code>POST /api/v1/webhooks/endpoints</code>).</p>`}`);
}

// ---- sessions and cases: the outcome only ----

export function activityPage(t: TenantCtx, sessions: SessionRow[], cases: CaseRow[]): string {
  const codes = (c: CaseRow) => c.decision?.reasons.map((r) => r.code).join(', ') || '—';
  return tenantPage(
    t,
    'activity',
    'Sessions and cases',
    html`<p class="muted">Outcomes only: KYCPort never shows tenants a person's images, document data or the reviewers' notes.</p>
<h2>Verification sessions</h2>${
      sessions.length
        ? html`<div class="table-wrap" tabindex="0"><table class="data tenant-table"><caption>The latest ${sessions.length} sessions</caption>
<thead><tr><th scope="col">Session</th><th scope="col">Tier</th><th scope="col">Status</th><th scope="col">Outcome</th><th scope="col">Reason codes</th><th scope="col">Created (UTC)</th><th scope="col">Updated</th></tr></thead>
<tbody>${sessions.map((s) => html`<tr><td><code>${s.id}</code></td><td>${s.level}</td><td>${s.status}</td><td>${s.outcome ?? '—'}</td><td>${s.reasons?.join(', ') || '—'}</td><td>${day(s.created_at)}</td><td>${day(s.updated_at)}</td></tr>`)}</tbody></table></div>`
        : html`<p>No sessions yet.</p>`
    }
<h2>Verification cases</h2>${
      cases.length
        ? html`<div class="table-wrap" tabindex="0"><table class="data tenant-table"><caption>The latest ${cases.length} cases</caption>
<thead><tr><th scope="col">Case</th><th scope="col">Tier</th><th scope="col">Status</th><th scope="col">Outcome</th><th scope="col">Risk</th><th scope="col">Reason codes</th><th scope="col">Created (UTC)</th><th scope="col">Decided</th></tr></thead>
<tbody>${cases.map((c) => html`<tr><td><code>${c.id}</code></td><td>${c.level}</td><td>${c.status}</td><td>${c.outcome ?? '—'}</td><td>${c.risk_level ?? '—'}</td><td>${codes(c)}</td><td>${day(c.created_at)}</td><td>${day(c.reviewed_at ?? c.decided_at)}</td></tr>`)}</tbody></table></div>`
        : html`<p>No cases yet.</p>`
    }`,
  );
}

// ---- branding ----

export function brandingPage(t: TenantCtx, b: Branding, flash?: string): string {
  const facts = html`<dl class="facts"><dt>Shown name</dt><dd>${b.name}</dd><dt>Accent colour</dt><dd>${b.accentColor ?? 'default'}</dd><dt>Logo</dt><dd>${b.hasLogo ? 'set' : 'none'}</dd></dl>`;
  const form = mayChange(t.role)
    ? html`<form method="post" action="/console/t/${t.tenantId}/branding" class="form">${csrf(t)}
  <label for="display_name">Name shown on the verification pages</label><input id="display_name" name="display_name" maxlength="100" value="${b.name}">
  <label for="accent_color">Accent colour <small>#rrggbb, e.g. #0a5cff; empty keeps it.</small></label><input id="accent_color" name="accent_color" pattern="#[0-9a-fA-F]{6}" value="${b.accentColor ?? ''}">
  <div class="actions"><button type="submit" class="primary">Save the branding</button></div>
</form>
<p class="muted">The logo is set with <code>kycport tenant branding --logo</code>.</p>`
    : '';
  return tenantPage(t, 'branding', 'Branding', html`${notice(flash, 'info')}${facts}${form}`);
}

// ---- usage ----

export function usagePage(t: TenantCtx, months: UsageMonth[]): string {
  return tenantPage(
    t,
    'usage',
    'Usage',
    html`<div class="table-wrap" tabindex="0"><table class="data tenant-table"><caption>Per month (UTC), newest first. Status lookups are counted in memory and saved every minute.</caption>
<thead><tr><th scope="col">Month</th><th scope="col">Verifications</th><th scope="col">Status lookups</th><th scope="col">Webhook deliveries</th></tr></thead>
<tbody>${months.map((m) => html`<tr><th scope="row">${m.month}</th><td>${m.verifications}</td><td>${m.status_lookups}</td><td>${m.webhook_deliveries}</td></tr>`)}</tbody></table></div>
<p><a href="/console/t/${t.tenantId}/usage.csv" download>Download as CSV</a></p>`,
  );
}
