// Tiny HTML helpers: everything interpolated goes through esc() unless it is already-built markup.
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

export function page(title: string, body: Html, opts: { subtitle?: string } = {}): string {
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
  <header class="brand"><img src="/static/logo.svg" alt="" width="28" height="28"><span>KYCPort</span></header>
  <section class="card">
    <h1>${title}</h1>
    ${opts.subtitle ? html`<p class="subtitle">${opts.subtitle}</p>` : ''}
    ${body}
  </section>
  <footer class="foot">Verified once, trusted everywhere. Your documents and biometrics stay with this operator.</footer>
</main>
</body>
</html>`.value;
}

/** A page with a title and one sentence (errors, confirmations). */
export function messagePage(title: string, message: string): string {
  return page(title, html`<p>${message}</p>`);
}

/** A dependency outage in a browser flow: the person should simply try again shortly (503, Retry-After). */
export function unavailablePage(): string {
  return page(
    'Briefly unavailable',
    html`<p>KYCPort cannot complete this request at this moment. Nothing is wrong with your account.</p>
<p>Please wait a few seconds, then try again.</p>`,
  );
}

/** An error (alert) or confirmation (status) box; nothing when there is no message. */
export function notice(message: string | undefined, kind: 'error' | 'info' = 'error'): Html | string {
  return message ? html`<div class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${message}</div>` : '';
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
