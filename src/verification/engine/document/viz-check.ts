// document.viz_mrz: the printed (visual inspection) zone against a valid MRZ. A forger who edits the printed date of
// birth or number of a genuine document leaves the MRZ, and its check digits, intact; this catches that edit.
import type { CheckResult } from '../types.js';
import type { MrzOcr } from './mrz-ocr.js';
import { matchCaptions, matchValues, settle, VIZ_FIELDS, type FieldStatuses, type MrzValues, type VizField } from './viz-fields.js';
import { layoutViz, readLines, REREADS, type Region } from './viz-ocr.js';

/** Fields whose disagreement is the classic forgery (ICAO data the MRZ also carries, with check digits). */
const KEY_FIELDS: readonly VizField[] = ['birthDate', 'documentNumber', 'expiryDate'];

/**
 * Read the printed fields in `region` of `page` (the side carrying the visual zone, upright) and compare them with
 * the MRZ. Captions are OCR'd only when a field's MRZ value is not found among the printed data (≈ half the cost).
 */
export async function compareVizWithMrz(ocr: MrzOcr, page: Buffer, region: Region, mrz: MrzValues): Promise<{ statuses: FieldStatuses; captionsRead: boolean }> {
  const layout = await layoutViz(page, region);
  const values = await readLines(ocr, layout, layout.values, false);
  let statuses = matchValues(values, mrz);
  if (!VIZ_FIELDS.some((f) => statuses[f] === 'unread')) return { statuses, captionsRead: false };
  const captions = await readLines(ocr, layout, layout.captions, true);
  const second = matchCaptions(statuses, values, captions, mrz);
  statuses = second.statuses;
  // The legacy OCR misreads bold digits now and then (8→3, 6→5, VV→W), more so on soft or compressed photos: a
  // field stays different only if re-reads of its line at other scales, binarised, read the same other value.
  for (const [field, line] of Object.entries(second.evidence) as [VizField, (typeof values)[number]][]) {
    const reads = [line.text];
    for (const pre of REREADS) reads.push((await readLines(ocr, layout, [line], false, pre))[0]?.text ?? '');
    statuses[field] = settle(field, reads, mrz);
  }
  return { statuses, captionsRead: true };
}

export function vizMrzCheck(statuses: FieldStatuses, captionsRead: boolean): CheckResult {
  const compared = VIZ_FIELDS.filter((f) => statuses[f] !== 'unread');
  const differ = VIZ_FIELDS.filter((f) => statuses[f] === 'differs');
  const agree = compared.length - differ.length;
  const details = { fields: statuses, captionsRead };
  if (differ.length) {
    const key = differ.filter((f) => KEY_FIELDS.includes(f));
    return {
      name: 'document.viz_mrz', passed: false, score: agree / compared.length, threshold: 1, code: 'viz_mrz_mismatch',
      reason: `printed ${differ.join(', ')} differ${differ.length === 1 ? 's' : ''} from the MRZ${key.length ? '' : ' (names only)'}`,
      details,
    };
  }
  return {
    name: 'document.viz_mrz', passed: true, score: compared.length ? 1 : null, threshold: 1,
    reason: compared.length
      ? `printed ${compared.join(', ')} agree with the MRZ${compared.length < VIZ_FIELDS.length ? '; the rest could not be read' : ''}`
      : 'printed zone could not be read; not compared (the MRZ and its check digits stand alone)',
    details,
  };
}
