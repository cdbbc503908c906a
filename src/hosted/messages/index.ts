// The catalogue: a locale from ui_locales / the session's locale / Accept-Language (English default, German
// second), and t() with {name} placeholders.
import { de } from './de.js';
import { en, type MessageKey } from './en.js';

export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
const CATALOGUE: Record<Locale, Record<MessageKey, string>> = { en, de };

const isLocale = (s: string): s is Locale => (LOCALES as readonly string[]).includes(s);

/** First supported language among ui_locales (space separated), the session's locale, then Accept-Language. */
export function pickLocale(uiLocales: string | undefined, sessionLocale: string | null | undefined, acceptLanguage: string | undefined): Locale {
  const candidates = [
    ...(uiLocales ?? '').split(/\s+/),
    sessionLocale ?? '',
    ...(acceptLanguage ?? '')
      .split(',')
      .map((p) => p.trim().split(';'))
      .map(([tag, q]) => ({ tag: tag ?? '', q: q?.startsWith('q=') ? Number(q.slice(2)) : 1 }))
      .sort((a, b) => b.q - a.q)
      .map((p) => p.tag),
  ];
  for (const c of candidates) {
    const base = c.toLowerCase().split('-')[0] ?? '';
    if (isLocale(base)) return base;
  }
  return 'en';
}

export type Translate = (key: MessageKey, vars?: Record<string, string>) => string;

export function translator(locale: Locale): Translate {
  const messages = CATALOGUE[locale];
  return (key, vars = {}) => messages[key].replace(/\{(\w+)\}/g, (m, name: string) => vars[name] ?? m);
}

/** The client script's strings for a locale (rendered into the page as JSON). */
export function clientMessages(locale: Locale): Record<string, string> {
  return Object.fromEntries(Object.entries(CATALOGUE[locale]).filter(([k]) => k.startsWith('client.')));
}

export type { MessageKey };
