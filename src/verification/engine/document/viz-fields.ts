// Which printed line holds which field, and whether it agrees with the MRZ. First from the data alone (the MRZ value
// printed anywhere in the zone agrees); only for fields still unresolved, from the captions above the data.
import { thresholds } from '../../thresholds.js';
import type { TextLine } from './viz-lines.js';
import { confusionKey, containsNumber, editDistance, nameKey, nearNumbers, parseDates, printedNameForms, sameDate, sameName } from './viz-compare.js';

export const VIZ_FIELDS = ['surname', 'givenNames', 'birthDate', 'documentNumber', 'expiryDate'] as const;
export type VizField = (typeof VIZ_FIELDS)[number];
/** agrees: printed = MRZ; differs: the field's printed value was read and is not the MRZ's; unread: not found/read. */
export type FieldStatus = 'agrees' | 'differs' | 'unread';
export type FieldStatuses = Record<VizField, FieldStatus>;

export interface MrzValues {
  surname: string;
  givenNames: string;
  birthDate: string | null;
  expiryDate: string | null;
  documentNumber: string;
}

export interface ReadLine extends TextLine {
  text: string;
}

function agreesAnywhere(field: VizField, lines: readonly ReadLine[], mrz: MrzValues): boolean {
  switch (field) {
    case 'birthDate':
    case 'expiryDate': {
      const iso = mrz[field];
      return !!iso && lines.some((l) => parseDates(l.text).some((d) => sameDate(d, iso)));
    }
    case 'documentNumber':
      return lines.some((l) => containsNumber(l.text, mrz.documentNumber));
    default:
      return !!mrz[field] && lines.some((l) => sameName(l.text, mrz[field]));
  }
}

/** First pass: fields whose MRZ value is printed somewhere agree; the rest are unread for now. */
export function matchValues(values: readonly ReadLine[], mrz: MrzValues): FieldStatuses {
  const out = {} as FieldStatuses;
  for (const f of VIZ_FIELDS) out[f] = agreesAnywhere(f, values, mrz) ? 'agrees' : 'unread';
  return out;
}

// Caption words (ASCII, as the OCR reads them) in the languages ICAO 9303 asks for (English, French, Spanish)
// plus German, Italian, Dutch, Polish and the Scandinavian languages.
const PLACE = /PLACE|LIEU|LUGAR|LUOGO|PLAATS|\bORT\b|MIEJSCE|STED|\bORT\b/;
const CAPTIONS: Record<VizField, (c: string) => boolean> = {
  birthDate: (c) => /BIRTH|NAISS|NACIM|GEBURT|NASCITA|GEBOORTE|URODZ|FODSEL|FODELSE|SYNTYM/.test(c) && !PLACE.test(c),
  expiryDate: (c) => /EXPIR|CADUC|GULTIG|ABLAUF|SCADENZA|GELDIG|VALID|WAZN|UTLOP|VOIMASSA/.test(c),
  documentNumber: (c) => /(PASSPORT|DOCUMENT|CARD|PASS)\s*N|N[O0]\.?\s*DU|NUMBER|NUMMER|NUMERO|NUMER\b|PASAPORTE\s*N/.test(c),
  surname: (c) =>
    /SURNAME|APELLIDO|NACHNAME|COGNOME|ACHTERNAAM|NAZWISKO|FAMILY/.test(c) ||
    (/\bNOM\b|\bNAME\b/.test(c) && !/GIVEN|PRENOM|VORNAME|NOMBRE|FORENAME/.test(c)),
  givenNames: (c) => /GIVEN|PRENOM|VORNAME|NOMBRE|VOORNAMEN|IMIONA|FORENAME|FORNAVN|FORNAMN/.test(c),
};

/** The data line a caption labels: the nearest one starting just below it, or right of it on the same line. */
function labelled(caption: TextLine, values: readonly ReadLine[]): ReadLine | null {
  const g = caption.glyph;
  let best: ReadLine | null = null;
  let bestCost = Infinity;
  for (const v of values) {
    const below = v.top - (caption.top + caption.height);
    const sameRow = Math.min(v.top + v.height, caption.top + caption.height) - Math.max(v.top, caption.top) > 0;
    let cost = Infinity;
    if (below >= -g * 0.5 && below <= g * 3 && Math.abs(v.left - caption.left) <= g * 3) cost = below + Math.abs(v.left - caption.left);
    else if (sameRow && v.left > caption.left + caption.width && v.left - (caption.left + caption.width) <= g * 8) cost = v.left - caption.left;
    if (cost < bestCost) {
      best = v;
      bestCost = cost;
    }
  }
  return best;
}

/** A captioned value against the MRZ: agrees, differs (read and clearly something else), or unread. */
function judge(field: VizField, value: ReadLine, mrz: MrzValues): FieldStatus {
  if (agreesAnywhere(field, [value], mrz)) return 'agrees';
  switch (field) {
    case 'birthDate':
    case 'expiryDate':
      return mrz[field] && parseDates(value.text).length ? 'differs' : 'unread';
    case 'documentNumber':
      // A token shaped like a number (≥ 5 letters/digits, some digits) that is not the MRZ's.
      return value.text.split(/[^A-Z0-9]+/).some((t) => t.length >= 5 && /[0-9]/.test(t)) ? 'differs' : 'unread';
    default: {
      // Names: only a clearly different name differs (nameDiffersFraction of the letters, min 3); a few
      // misread letters beyond sameName's slack stay unread rather than accuse the document.
      // Judged on the closest run of words, so a stray mark beside the name does not count as a difference.
      const words = value.text.split(/\s+/).filter((w) => nameKey(w));
      const forms = printedNameForms(mrz[field]);
      let best = Infinity;
      let len = 0;
      for (let i = 0; i < words.length; i++) {
        for (let j = i + 1; j <= words.length; j++) {
          const p = nameKey(words.slice(i, j).join(''));
          const d = Math.min(...forms.map((f) => editDistance(p, f)));
          if (d < best) [best, len] = [d, p.length];
        }
      }
      if (len < 2) return 'unread';
      return best >= Math.max(3, Math.ceil(len * thresholds.document.vizMrz.nameDiffersFraction)) ? 'differs' : 'unread';
    }
  }
}

/**
 * Second pass for the fields still unread: their captioned values. Returns the updated statuses and, for each
 * field that differs, the line that was judged (for a re-read).
 */
export function matchCaptions(
  statuses: FieldStatuses, values: readonly ReadLine[], captions: readonly ReadLine[], mrz: MrzValues,
): { statuses: FieldStatuses; evidence: Partial<Record<VizField, ReadLine>> } {
  const out = { ...statuses };
  const evidence: Partial<Record<VizField, ReadLine>> = {};
  for (const f of VIZ_FIELDS) {
    if (out[f] !== 'unread') continue;
    const caption = captions.find((c) => CAPTIONS[f](c.text));
    const value = caption ? labelled(caption, values) : null;
    if (value) out[f] = judge(f, value, mrz);
    if (value && out[f] === 'differs') evidence[f] = value;
    // No caption read: an edited copy of the MRZ number printed anywhere still gives the edit away.
    const near = out[f] === 'unread' && f === 'documentNumber' ? values.find((v) => nearNumbers(v.text, mrz.documentNumber).length) : undefined;
    if (near) {
      out[f] = 'differs';
      evidence[f] = near;
    }
  }
  return { statuses: out, evidence };
}

/**
 * The verdict on a differing field from several reads of its line: agrees if any read is the MRZ value (the others
 * were misreads); differs only if every read gives the same other value (a clean, stable read of an edit);
 * otherwise unread, since reads that disagree with each other are OCR noise, not evidence.
 */
export function settle(field: VizField, reads: readonly string[], mrz: MrzValues): FieldStatus {
  if (reads.some((text) => agreesAnywhere(field, [{ text } as ReadLine], mrz))) return 'agrees';
  const key = (text: string): string =>
    field === 'birthDate' || field === 'expiryDate'
      ? parseDates(text).map((d) => `${d.day}.${d.month}.${d.year}`).join(',')
      : field === 'documentNumber' ? confusionKey(text) : nameKey(text);
  const keys = reads.map(key);
  return keys[0] && keys.every((k) => k === keys[0]) ? 'differs' : 'unread';
}
