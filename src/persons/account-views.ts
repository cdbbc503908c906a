// The /account sections about the person's data: their assurance and its document in plain words, the tenants
// with access (each with a withdraw form), the export download and the erasure form.
import { html, invalidIf, type Html } from '../http/html.js';
import type { AccountOverview } from './account-data.js';

const TIER_WORDS: Record<string, string> = {
  t0: 'no identity check',
  t1: 'tier 1: identity document checked',
  t2: 'tier 2: identity document and a selfie matched to it',
  t3: 'tier 3: document, selfie and a live head-turn check',
};
const DOC_WORDS: Record<string, string> = { passport: 'Passport', id_card: 'Identity card', residence_permit: 'Residence permit', visa: 'Visa' };

const day = (d: Date) => d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function assuranceWords(a: AccountOverview['assurance']): string {
  const tier = TIER_WORDS[a.tier] ?? a.tier;
  switch (a.status) {
    case 'verified':
      return `Your identity is verified (${tier})${a.expiresAt ? `, valid until ${day(a.expiresAt)}` : ''}.`;
    case 'expired':
      return `Your identity verification (${tier}) expired${a.expiresAt ? ` on ${day(a.expiresAt)}` : ''}. Verify again to renew it.`;
    case 'pending':
      return 'Your identity verification is being checked.';
    case 'rejected':
      return 'Your last identity verification was not accepted. You can try again through the application that asked for it.';
    default:
      return 'Your identity is not verified yet.';
  }
}

export interface DataSectionView {
  overview: AccountOverview;
  csrf: string;
  email: string;
  /** The erasure form's error, tied to its password field. */
  eraseError?: string;
}

export function dataSections(v: DataSectionView): Html {
  const { overview: o } = v;
  const doc = o.document;
  const docLine = doc
    ? html`<p>Backed by: ${DOC_WORDS[doc.type ?? ''] ?? 'Identity document'}${doc.country ? html` issued by ${doc.country}` : ''}${doc.numberEnd ? html`, number ending in <strong>${doc.numberEnd}</strong>` : ''}${doc.verifiedAt ? html`, checked on ${day(doc.verifiedAt)}` : ''}.</p>`
    : '';
  const hidden = html`<input type="hidden" name="csrf" value="${v.csrf}">`;
  const tenants = o.access.length
    ? html`<ul class="access">${o.access.map(
        (t) => html`<li><strong>${t.tenantName}</strong> since ${day(t.since)}
<form method="post" action="/account/access/withdraw" class="form" aria-label="Withdraw access of ${t.tenantName}">
  ${hidden}<input type="hidden" name="tenant_id" value="${t.tenantId}">
  <button type="submit">Withdraw access</button>
</form></li>`,
      )}</ul>
<p class="muted">An application whose access you withdraw can no longer read your verification status, and its sign-ins end. If you sign in to it again, it asks for your consent again.</p>`
    : html`<p>No application has access to your verification.</p>`;
  return html`<h2>Your verification</h2>
<p>${assuranceWords(o.assurance)}</p>
${docLine}
<h2>Applications with access</h2>
<p>These see your verification status, tier, screening result and its expiry (and your email if they asked for it).</p>
${tenants}
<h2>Your data</h2>
<form method="post" action="/account/export" class="form" aria-label="Download your data">
  ${hidden}
  <button type="submit">Download your data (JSON)</button>
</form>
<h3>Delete your account</h3>
<p>Deletes your account, your document images and face data at once, and tells the applications with access. The records of verification decisions (outcome, checks, reasons, dates; no images or face data) are kept for the period record-keeping law requires, then deleted.</p>
<form method="post" action="/account/delete" class="form" aria-label="Delete your account">
  ${hidden}
  <input type="text" name="username" value="${v.email}" autocomplete="username" hidden readonly>
  <label>Account password, to confirm<input type="password" name="current"${invalidIf(v.eraseError)} required maxlength="1024" autocomplete="current-password"></label>
  <label class="check"><input type="checkbox" name="confirm" value="delete" required${invalidIf(v.eraseError)}> I understand that my account is deleted for good.</label>
  <button type="submit">Delete my account</button>
</form>`;
}
