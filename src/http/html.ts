// Tiny HTML helpers: everything interpolated goes through esc() unless it is already-built markup.
import { ApiError, DependencyUnavailableError } from './errors.js';

export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a page may interpolate: plain values (escaped) and already-built markup. */
export type Text = string | number | boolean | null | undefined;
export type Interpolation = Text | Html | (Text | Html)[];

export function esc(v: Text): string {
  return String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Tagged template: interpolations are escaped unless they are Html (or arrays of Html). */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    const part = Array.isArray(v) ? v.map((x) => (x instanceof Html ? x.value : esc(x))).join('') : v instanceof Html ? v.value : esc(v);
    out += part + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

export interface PageOptions {
  subtitle?: string;
  /** A wide card (the console's tables and case view) instead of the narrow sign-in card. */
  wide?: boolean;
  /** Markup above the card (the console's navigation). */
  nav?: Html;
  /** Same-origin scripts (the strict CSP allows no inline script). */
  scripts?: string[];
}

export function page(title: string, body: Html, opts: PageOptions = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · KYCPort</title>
<link rel="stylesheet" href="/static/styles.css">
<link rel="icon" href="/static/logo.svg" type="image/svg+xml">
</head>
<body>
<main class="shell">
  <header class="brand"><img src="/static/logo.svg" alt="" width="28" height="28"><span>KYCPort</span></header>${opts.nav ? html`\n  ${opts.nav}` : ''}
  <section class="card${opts.wide ? ' wide' : ''}">
    <h1>${title}</h1>
    ${opts.subtitle ? html`<p class="subtitle">${opts.subtitle}</p>` : ''}
    ${body}
  </section>
  <footer class="foot">Verified once, trusted everywhere. Your documents and biometrics stay with this operator.</footer>
</main>${(opts.scripts ?? []).map((src) => html`\n<script src="${src}" defer></script>`)}
</body>
</html>`.value;
}

/** Where an error page sends the person on: the form they came from. */
export interface Onward {
  href: string;
  text: string;
}

const onwardLink = (to?: Onward) => (to ? html`<p class="alt"><a href="${to.href}">${to.text}</a></p>` : '');

/** A page with a title and one sentence (errors, confirmations), and optionally a link onward. */
export function messagePage(title: string, message: string, to?: Onward): string {
  return page(title, html`<p>${message}</p>${onwardLink(to)}`);
}

/** A dependency outage in a browser flow: the person should simply try again shortly (503, Retry-After). */
export function unavailablePage(to?: Onward): string {
  return page(
    'Briefly unavailable',
    html`<p>KYCPort cannot complete this request at this moment. Nothing is wrong with your account.</p>
<p>Please wait a few seconds, then try again.</p>${onwardLink(to)}`,
  );
}

/**
 * An error in a browser flow as a page: an outage, a full password queue (busy), a limit (the wait in words:
 * "try again in 57 minutes"; Retry-After keeps the seconds), or the error's own message.
 */
export function errorPage(e: ApiError, to?: Onward): string {
  if (e instanceof DependencyUnavailableError) return unavailablePage(to);
  if (e.status === 429) return messagePage('Too many attempts', `To protect accounts, this can only be tried a few times an hour. Please try again in ${waitText(Number(e.headers?.['Retry-After']))}.`, to);
  if (e.status === 503) return messagePage('Busy right now', e.message, to);
  return messagePage('Something went wrong', e.message, to);
}

/** The id of a form's error box: the fields point at it (aria-describedby) so screen readers read it with them. */
const ERROR_ID = 'form-error';

/** An error (alert) or confirmation (status) box; nothing when there is no message. */
export function notice(message: string | undefined, kind: 'error' | 'info' = 'error'): Html | string {
  if (!message) return '';
  return kind === 'error' ? html`<div class="notice error" id="${ERROR_ID}" role="alert">${message}</div>` : html`<div class="notice info" role="status">${message}</div>`;
}

/** A field's attributes when its form shows an error: marked invalid and described by the error box. */
export function invalidIf(error: string | undefined): Html {
  return new Html(error ? ` aria-invalid="true" aria-describedby="${ERROR_ID}"` : '');
}

/** 3423 → "57 minutes", 45 → "45 seconds", 5400 → "1 hour 30 minutes": a wait as a person says it. */
export function waitText(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 1;
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (s < 60) return plural(s, 'second');
  const minutes = Math.round(s / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `${plural(h, 'hour')} ${plural(m, 'minute')}` : plural(h, 'hour');
}
