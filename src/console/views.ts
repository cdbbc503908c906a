// The console's pages, server-rendered with the project's page layout (http/html.ts) and stylesheet. No inline
// script or style (strict CSP); the one script (public/console.js) only narrows the reason-code list to the
// chosen outcome, and the forms work without it.
import { html, messagePage, notice, page, type Html } from '../http/html.js';
import { REASON_CODES } from '../review/reasons.js';
import { MAX_NOTE, type Candidate, type QueueItem, type ReviewService } from '../review/service.js';
import type { Extraction, ReviewOutcome } from '../verification/cases/model.js';
import type { FileRow } from '../verification/cases/store.js';
import type { RoleGrant } from './roles.js';

export interface Me {
  email: string;
  grants: RoleGrant[];
  csrf: string;
  reviewer: boolean;
  /** Operator admin: tenants, keys, sanctions lists, staff (operator-views.ts). */
  admin: boolean;
  /** May read the audit trail: auditors and admins. */
  auditor: boolean;
}

const roleText = (g: RoleGrant) => (g.tenantId ? `${g.role} (${g.tenantId})` : g.role);

function nav(me: Me): Html {
  return html`<nav class="console-nav" aria-label="Console">
  ${me.reviewer ? html`<a href="/console/queue">Review queue</a>` : html`<a href="/console">Console</a>`}
  ${me.admin ? html`<a href="/console/tenants">Tenants</a> <a href="/console/lists">Sanctions lists</a> <a href="/console/staff">Staff</a>` : ''}
  ${me.auditor ? html`<a href="/console/audit">Audit trail</a>` : ''}
  ${[...new Set(me.grants.map((g) => g.tenantId).filter(Boolean))].map((t) => html`<a href="/console/t/${t}">Tenant ${t}</a>`)}
  <span class="who">${me.email} · ${me.grants.map(roleText).join(', ')}</span>
  <form method="post" action="/console/sign-out"><input type="hidden" name="csrf" value="${me.csrf}"><button type="submit">Sign out</button></form>
</nav>`;
}

export const consolePage = (me: Me, title: string, body: Html, scripts?: string[]) => page(title, body, { wide: true, nav: nav(me), ...(scripts ? { scripts } : {}) });

const OUTCOME_TEXT: Record<ReviewOutcome, string> = { approved: 'Approve', rejected: 'Reject', resubmission_requested: 'Request resubmission' };

function hours(h: number): string {
  if (h < 1) return `${Math.max(0, Math.round(h * 60))} min`;
  if (h < 48) return `${h.toFixed(1)} h`;
  return `${(h / 24).toFixed(1)} days`;
}

// ---- pages before the console opens ----

export const notStaffPage = () =>
  messagePage('No console access', 'This KYCPort account has no role in the console. Ask an admin of this operator to invite you.', { href: '/console/sign-in', text: 'Sign in with another account' });

export const mfaSetupPage = () =>
  page(
    'Two-step sign-in required',
    html`<p>Reviewers and admins must sign in to the console with a code from an authenticator app. Your account does not have two-step sign-in turned on yet.</p>
<ol><li>Open <a href="/account">your account</a> and turn on two-step sign-in.</li><li>Then <a href="/console/sign-in">sign in to the console again</a>.</li></ol>`,
  );

export const mfaNotUsedPage = () =>
  messagePage('Sign in with your code', 'Reviewers and admins must use their authenticator code when they sign in to the console. Sign in again.', { href: '/console/sign-in', text: 'Sign in again' });

export const signedOutPage = () => messagePage('Signed out', 'You are signed out of the console.', { href: '/console/sign-in', text: 'Sign in again' });

export const signInFailedPage = () =>
  messagePage('Sign-in did not finish', 'The console could not confirm your sign-in (it expired or was started in another tab).', { href: '/console/sign-in', text: 'Try again' });

/** Staff with roles the console has no pages for yet (auditor, tenant roles). */
export const homePage = (me: Me) =>
  consolePage(
    me,
    'Console',
    html`<p>You are signed in with the roles: ${me.grants.map(roleText).join(', ')}.</p>
${me.grants.filter((g) => g.tenantId).map((g) => html`<p><a href="/console/t/${g.tenantId}">Your tenant ${g.tenantId}</a>: API keys, clients, webhooks, sessions and cases, branding, usage.</p>`)}`,
  );

// ---- the queue ----

export function queuePage(me: Me, items: QueueItem[], slaHours: number, flash?: string): string {
  const rows = items.map(
    (i) => html`<tr>
  <td><a href="/console/cases/${i.id}">${i.id}</a></td>
  <td>${i.level}</td>
  <td>${i.tenantId}</td>
  <td>${i.since.toISOString().slice(0, 16).replace('T', ' ')} UTC</td>
  <td class="${i.overdue ? 'overdue' : ''}">${hours(i.ageHours)}${i.overdue ? ' (over SLA)' : ''}</td>
  <td>${i.awaitingSecondReviewer ? 'Awaiting a second reviewer' : i.claimedByMe ? 'Claimed by you' : i.claimedBy ? 'Claimed by another reviewer' : 'Open'}</td>
  <td>${
    i.claimedBy && !i.claimedByMe
      ? ''
      : html`<form method="post" action="/console/cases/${i.id}/${i.claimedByMe ? 'release' : 'claim'}"><input type="hidden" name="csrf" value="${me.csrf}"><button type="submit">${i.claimedByMe ? 'Release' : 'Claim'}<span class="visually-hidden"> ${i.id}</span></button></form>`
  }</td>
</tr>`,
  );
  const table = items.length
    ? html`<div class="table-wrap" tabindex="0"><table class="data">
<caption>Cases in manual review, oldest first. Target: decided within ${slaHours} hours.</caption>
<thead><tr><th scope="col">Case</th><th scope="col">Tier</th><th scope="col">Tenant</th><th scope="col">In review since</th><th scope="col">Age</th><th scope="col">State</th><th scope="col">Action</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
    : html`<p>No case is waiting for review.</p>`;
  return consolePage(me, 'Review queue', html`${notice(flash, 'info')}${table}`);
}

// ---- one case ----

type CaseView = Awaited<ReturnType<ReviewService['view']>>;

const KIND_TEXT: Record<FileRow['kind'], string> = { document: 'Document, front', document_back: 'Document, back', selfie: 'Selfie', frame: 'Liveness frame' };

function images(caseId: string, files: FileRow[], purged: boolean): Html {
  if (purged) return html`<p class="muted">The images were deleted under the retention period.</p>`;
  if (!files.length) return html`<p class="muted">No images.</p>`;
  // Frames are many near-identical pictures: the first three are enough to judge a replay.
  const shown = [...files.filter((f) => f.kind !== 'frame'), ...files.filter((f) => f.kind === 'frame').slice(0, 3)];
  return html`<div class="gallery">${shown.map(
    (f) => html`<figure><img src="/console/cases/${caseId}/files/${f.id}" alt="${KIND_TEXT[f.kind]}${f.kind === 'frame' ? ` ${f.seq + 1}` : ''} of case ${caseId}" width="${f.width}" height="${f.height}" loading="lazy"><figcaption>${KIND_TEXT[f.kind]}${f.kind === 'frame' ? ` ${f.seq + 1}` : ''}</figcaption></figure>`,
  )}</div>`;
}

function mrzTable(x: Extraction | null): Html {
  const m = x?.mrz;
  if (!m) return html`<p class="muted">No machine-readable zone was read${x?.redacted ? ' (the personal fields were removed under retention)' : ''}.</p>`;
  const rows: [string, string | boolean | null | undefined][] = [
    ['Format', m.format],
    ['Document code', m.document_code],
    ['Issuing state', m.issuing_country],
    ['Document number', m.document_number_masked],
    ['Surname', m.surname],
    ['Given names', m.given_names],
    ['Nationality', m.nationality],
    ['Birth date', m.birth_date],
    ['Sex', m.sex],
    ['Expiry', m.expiry_date],
    ['Expired', m.expired === null ? 'unknown' : m.expired ? 'yes' : 'no'],
  ];
  const digits = x.check_digits.map((c) => html`<li>${c.field}: ${c.valid ? 'valid' : 'INVALID'}</li>`);
  return html`<table class="data fields"><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v ?? '—'}</td></tr>`)}</tbody></table>
<p class="muted">Check digits:</p><ul class="muted">${digits}</ul>`;
}

const num = (v: number | null) => (v === null ? '—' : String(Math.round(v * 1000) / 1000));

function checksTable(checks: { name: string; passed: boolean; score: number | null; threshold: number | null; reason: string; advisory?: boolean; code?: string }[]): Html {
  return html`<div class="table-wrap" tabindex="0"><table class="data">
<thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Score</th><th scope="col">Threshold</th><th scope="col">Why</th></tr></thead>
<tbody>${checks.map(
    (c) => html`<tr><td>${c.name}${c.advisory ? ' (advisory)' : ''}</td><td class="${c.passed ? 'pass' : 'fail'}">${c.passed ? 'passed' : `failed${c.code ? `: ${c.code}` : ''}`}</td><td>${num(c.score)}</td><td>${num(c.threshold)}</td><td class="prose">${c.reason}</td></tr>`,
  )}</tbody></table></div>`;
}

interface Hit {
  list?: string;
  source_id?: string;
  matched_name?: string;
  score?: number;
  birth_date?: string | null;
  nationality?: string | null;
  topics?: string[];
}

function screening(checks: { name: string; details?: Record<string, unknown> }[], x: Extraction | null, amlClear: boolean | null | undefined): Html {
  const check = checks.find((c) => c.name === 'screening.sanctions_pep');
  if (!check || amlClear === null || amlClear === undefined) return html`<p class="notice error">Screening did not run for this case: a t2 or t3 approval is not possible.</p>`;
  const hits = (check.details?.hits as Hit[] | number | undefined) ?? [];
  if (!Array.isArray(hits) || !hits.length) return html`<p>No screening hits.</p>`;
  const m = x?.mrz;
  const applicant = html`<td>${[m?.given_names, m?.surname].filter(Boolean).join(' ') || '—'}</td><td>${m?.birth_date ?? '—'}</td><td>${m?.nationality ?? '—'}</td>`;
  return html`<div class="table-wrap" tabindex="0"><table class="data">
<caption>Each hit next to the applicant, as the document reads</caption>
<thead><tr><th scope="col">Who</th><th scope="col">Name</th><th scope="col">Birth date</th><th scope="col">Nationality</th><th scope="col">List entry</th><th scope="col">Score</th><th scope="col">Topics</th></tr></thead>
<tbody>${hits.map(
    (h) => html`<tr class="pair-top"><th scope="row">Applicant</th>${applicant}<td></td><td></td><td></td></tr>
<tr><th scope="row">List entry</th><td>${h.matched_name ?? '—'}</td><td>${h.birth_date ?? '—'}</td><td>${h.nationality ?? '—'}</td><td>${h.list ?? ''} ${h.source_id ?? ''}</td><td>${h.score === undefined ? '—' : num(h.score)}</td><td>${(h.topics ?? []).join(', ')}</td></tr>`,
  )}</tbody></table></div>`;
}

function candidates(caseId: string, files: FileRow[], list: Candidate[]): Html {
  if (!list.length) return html`<p>No verified face close to this selfie.</p>`;
  const mine = files.filter((f) => f.kind === 'selfie' || f.kind === 'document');
  return html`${list.map(
    (c) => html`<div class="side-by-side">
  <div><h3>This case</h3>${images(caseId, mine, false)}</div>
  <div><h3>Case ${c.caseId} (similarity ${num(c.similarity)})</h3>${images(c.caseId, c.files.filter((f) => f.kind === 'selfie' || f.kind === 'document'), false)}</div>
</div>`,
  )}`;
}

function history(v: CaseView): Html {
  const r = v.row;
  const at = (d: Date | null | undefined) => (d ? d.toISOString().replace('T', ' ').slice(0, 19) : '');
  const events: [Date | null, string][] = [
    [r.created_at, `Case opened (${r.level})`],
    [r.uploaded_at, 'Captures uploaded'],
    [r.decided_at, `Automated decision: ${r.decision?.outcome ?? '—'}${r.decision?.reasons.length ? ` (${r.decision.reasons.map((x) => x.code).join(', ')})` : ''}`],
    ...v.decisions.map((d): [Date, string] => [d.decidedAt, `${d.reviewerEmail ?? d.reviewerId}: ${OUTCOME_TEXT[d.outcome].toLowerCase()} (${d.reasonCode})${d.final ? '' : ', waiting for a second reviewer'}. Note: ${d.note}`]),
    [r.purged_at, 'Images deleted (retention)'],
  ];
  return html`<ol class="history">${events.filter(([d]) => d).map(([d, text]) => html`<li><time datetime="${d?.toISOString()}">${at(d)} UTC</time> ${text}</li>`)}</ol>`;
}

function decisionForm(me: Me, v: CaseView & { claimedByMe: boolean }, error?: string): Html {
  if (v.row.status !== 'manual_review') return html`<p>This case is ${v.row.status}; there is nothing to decide.</p>`;
  if (v.claim && !v.claimedByMe) return html`<p class="notice error">Another reviewer has claimed this case until ${v.claim.expires_at.toISOString().slice(11, 16)} UTC.</p>`;
  const held = v.decisions.filter((d) => !d.final && d.outcome === 'approved');
  const groups = (Object.keys(REASON_CODES) as ReviewOutcome[]).map(
    (o) => html`<optgroup label="${OUTCOME_TEXT[o]}" data-outcome="${o}">${Object.entries(REASON_CODES[o]).map(([code, text]) => html`<option value="${code}">${code}: ${text}</option>`)}</optgroup>`,
  );
  return html`${held.length ? html`<p class="notice info" role="status">Approved by ${held.map((d) => d.reviewerEmail ?? d.reviewerId).join(', ')}; a t3 approval needs a second, different reviewer.</p>` : ''}
${notice(error)}
<form method="post" action="/console/cases/${v.row.id}/decision" class="form" id="decision">
  <input type="hidden" name="csrf" value="${me.csrf}">
  <fieldset><legend>Decision</legend>
  ${(Object.keys(OUTCOME_TEXT) as ReviewOutcome[]).map((o) => html`<label class="choice"><input type="radio" name="outcome" value="${o}" required> ${OUTCOME_TEXT[o]}</label>`)}
  </fieldset>
  <label for="reason_code">Reason code <small>Tenants see the code; they never see your note.</small></label>
  <select id="reason_code" name="reason_code" required><option value="">Choose a reason</option>${groups}</select>
  <label for="note">Note <small>Required. For the operator's reviewers and auditors only.</small></label>
  <textarea id="note" name="note" rows="4" maxlength="${MAX_NOTE}" required></textarea>
  <div class="actions"><button type="submit" class="primary">Record the decision</button></div>
</form>`;
}

export function casePage(me: Me, v: CaseView & { claimedByMe: boolean }, ctx: { slaHours: number; ageHours: number; error?: string }): string {
  const r = v.row;
  const d = r.decision;
  const claim = v.claim
    ? v.claimedByMe
      ? html`<p>You hold the claim until ${v.claim.expires_at.toISOString().slice(11, 16)} UTC. <form class="inline" method="post" action="/console/cases/${r.id}/release"><input type="hidden" name="csrf" value="${me.csrf}"><button type="submit">Release</button></form></p>`
      : html`<p>Claimed by another reviewer until ${v.claim.expires_at.toISOString().slice(11, 16)} UTC.</p>`
    : r.status === 'manual_review'
      ? html`<form class="inline" method="post" action="/console/cases/${r.id}/claim"><input type="hidden" name="csrf" value="${me.csrf}"><button type="submit">Claim this case</button></form>`
      : '';
  const body = html`<dl class="facts">
  <dt>Status</dt><dd>${r.status}</dd><dt>Tier</dt><dd>${r.level}</dd><dt>Tenant</dt><dd>${r.tenant_id}</dd>
  <dt>In review for</dt><dd class="${ctx.ageHours > ctx.slaHours ? 'overdue' : ''}">${hours(ctx.ageHours)} (target ${ctx.slaHours} h)</dd>
  <dt>Automated risk</dt><dd>${d?.risk_level ?? '—'}</dd><dt>Reasons</dt><dd>${d?.reasons.map((x) => x.code).join(', ') || '—'}</dd>
</dl>
${claim}
<h2>Images</h2>${images(r.id, v.files, r.purged_at !== null)}
<h2>Machine-readable zone</h2>${mrzTable(r.extraction)}
<h2>Checks</h2>${checksTable(d?.checks ?? [])}
<h2>Screening</h2>${screening(d?.checks ?? [], r.extraction, d?.aml_clear)}
<h2>Possible duplicates</h2>${candidates(r.id, v.files, v.candidates)}
<h2>History</h2>${history(v)}
<h2 id="decide">Decide</h2>${decisionForm(me, v, ctx.error)}`;
  return consolePage(me, `Case ${r.id}`, body, ['/static/console.js']);
}
