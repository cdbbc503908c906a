// EXIF/XMP forensics: an editor's name in the metadata, or dates that contradict each other. Metadata is trivially
// stripped or forged, so absence proves nothing and presence is a reason for review, not proof: both checks are
// advisory (they can send a case to manual review but never approve or reject it alone).
import exifr from 'exifr';
import type { CheckResult } from '../types.js';

// Lower-case substrings of Software / CreatorTool / HistorySoftwareAgent values written by image editors.
// Camera firmware and phone OS names ("Android", "iOS 17.1", "HDR+ 1.0") are deliberately absent.
export const EDITING_SOFTWARE = [
  'photoshop', 'adobe photoshop', 'lightroom', 'gimp', 'pixelmator', 'affinity', 'canva', 'snapseed', 'paint.net',
  'corel', 'paintshop', 'photopea', 'picsart', 'facetune', 'fotor', 'luminar', 'capture one', 'darktable',
  'rawtherapee', 'acdsee', 'photoscape', 'krita', 'inkscape', 'befunky', 'pixlr', 'polarr', 'vsco', 'meitu',
  'airbrush', 'remini', 'faceapp', 'imagemagick', 'photo editor',
];
const SOFTWARE_TAGS = ['Software', 'ProcessingSoftware', 'CreatorTool', 'HistorySoftwareAgent'] as const;
// EXIF clocks are local time without a zone: allow 14 h (UTC+14) plus 10 min of camera clock drift.
const FUTURE_SLACK_MS = (14 * 60 + 10) * 60_000;

export interface ExifFindings {
  present: boolean;
  software: string[];
  editor: string | null;
  dateTimeOriginal: string | null;
  modifyDate: string | null;
  problems: string[];
}

/** "YYYY:MM:DD HH:MM:SS" (as written, local time) → ms since epoch treating it as UTC; null if malformed. */
function exifTime(v: unknown): { text: string; ms: number } | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(v.trim());
  if (!m) return null;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(ms) ? null : { text: v.trim(), ms };
}

export async function readExif(buf: Buffer, now: Date): Promise<ExifFindings> {
  let tags: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = await exifr.parse(buf, { tiff: true, exif: true, xmp: true, ifd1: false, gps: false, reviveValues: false });
    tags = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    tags = undefined; // unreadable metadata block: treat as absent, the image itself decoded fine
  }
  const out: ExifFindings = { present: !!tags, software: [], editor: null, dateTimeOriginal: null, modifyDate: null, problems: [] };
  if (!tags) return out;
  for (const k of SOFTWARE_TAGS) {
    const v = tags[k];
    for (const s of Array.isArray(v) ? v : [v]) if (typeof s === 'string' && s.trim()) out.software.push(s.trim());
  }
  out.editor = out.software.find((s) => EDITING_SOFTWARE.some((e) => s.toLowerCase().includes(e))) ?? null;

  const original = exifTime(tags.DateTimeOriginal) ?? exifTime(tags.CreateDate);
  const modified = exifTime(tags.ModifyDate);
  out.dateTimeOriginal = original?.text ?? null;
  out.modifyDate = modified?.text ?? null;
  if (original && modified && modified.ms < original.ms) {
    out.problems.push(`ModifyDate ${modified.text} is before DateTimeOriginal ${original.text}`);
  }
  for (const [name, t] of [['DateTimeOriginal', original], ['ModifyDate', modified]] as const) {
    if (t && t.ms > now.getTime() + FUTURE_SLACK_MS) out.problems.push(`${name} ${t.text} is in the future`);
  }
  return out;
}

export function exifChecks(sides: readonly { side: 'front' | 'back'; f: ExifFindings }[]): CheckResult[] {
  const edited = sides.find((s) => s.f.editor);
  const dated = sides.find((s) => s.f.problems.length);
  const present = sides.some((s) => s.f.present);
  return [
    {
      name: 'document.exif_software',
      passed: !edited,
      score: edited ? 0 : 1,
      threshold: 1,
      advisory: true,
      reason: edited
        ? `${edited.side} image metadata names an image editor (${edited.f.editor})`
        : present
          ? 'no image-editing software named in the metadata'
          : 'no EXIF/XMP metadata (stripped or never written): nothing to check',
      ...(edited ? { code: 'editing_software' } : {}),
      details: { metadataPresent: present, ...(edited ? { software: edited.f.editor, side: edited.side } : {}) },
    },
    {
      name: 'document.exif_dates',
      passed: !dated,
      score: dated ? 0 : 1,
      threshold: 1,
      advisory: true,
      reason: dated ? `${dated.side} image: ${dated.f.problems.join('; ')}` : 'metadata dates are consistent',
      ...(dated ? { code: 'inconsistent_dates' } : {}),
      ...(dated ? { details: { side: dated.side, problems: dated.f.problems } } : {}),
    },
  ];
}
