// OFAC SDN legacy CSV (sdn.csv, no header): ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type,
// Tonnage, GRT, Vess_flag, Vess_owner, Remarks; "-0-" is null. Birth dates and nationality are only in Remarks
// ("DOB 01 Jan 1960; POB Tehran, Iran; nationality Iran; …"). Aliases come from alt.csv (ent_num, alt_num,
// alt_type, alt_name, alt_remarks) next to it.
import { toAlpha2List } from '../countries.js';
import { readCsv } from '../csv.js';
import { parseOfacDob } from '../dates.js';
import type { EntityType, LoaderItem, ParsedEntry, ParseProblem } from '../types.js';

export const SDN_COLUMNS = 12;
export const ALT_COLUMNS = 5;

/** "-0-" (OFAC's null, often with a trailing space) and blanks → undefined. */
export function ofacValue(s: string | undefined): string | undefined {
  const t = (s ?? '').trim();
  return t === '' || t === '-0-' ? undefined : t;
}

/** The CSV Program column drops the outer brackets of "[SDGT] [IRGC]" → "SDGT] [IRGC". */
export function parsePrograms(s: string | undefined): string[] {
  const v = ofacValue(s);
  if (!v) return [];
  return v
    .split(/\]\s*\[/)
    .map((p) => p.replace(/[[\]]/g, '').trim())
    .filter(Boolean);
}

export interface RemarkFacts {
  birthDates: string[];
  nationalities: string[];
}

/** DOB, nationality and citizenship out of the Remarks prose; "alt. DOB …" counts as another birth date. */
export function parseRemarks(remarks: string | undefined): RemarkFacts {
  const birthDates = new Set<string>();
  const countries: string[] = [];
  for (const raw of (remarks ?? '').split(';')) {
    const part = raw.trim().replace(/\.$/, '');
    const m = /^(?:alt\.\s*)?(DOB|nationality|citizen)\s+(.+)$/i.exec(part);
    if (!m) continue;
    const kind = m[1]!.toLowerCase();
    if (kind === 'dob') for (const d of parseOfacDob(m[2]!)) birthDates.add(d);
    else countries.push(m[2]!);
  }
  return { birthDates: [...birthDates], nationalities: toAlpha2List(countries) };
}

const TYPES: Record<string, EntityType | 'skip'> = { individual: 'person', vessel: 'skip', aircraft: 'skip' };

/** One sdn.csv row → entry / problem / skip. Exported for tests. */
export function parseSdnRow(fields: string[], line: number, aliases?: AliasMap): LoaderItem | undefined {
  if (fields.every((f) => f.trim() === '' || f.trim() === '\x1a')) return undefined; // blank line, DOS EOF mark
  const problem = (message: string): LoaderItem => ({ kind: 'problem', problem: { line, message } });
  if (fields.length !== SDN_COLUMNS) return problem(`expected ${SDN_COLUMNS} columns, got ${fields.length}`);
  const entNum = fields[0]!.trim();
  if (!/^\d+$/.test(entNum)) {
    return line === 1 && /ent_num/i.test(entNum) ? undefined : problem('ent_num is not an integer');
  }
  const name = ofacValue(fields[1]);
  if (!name) return problem(`entry ${entNum} has no name`);
  const type = ofacValue(fields[2])?.toLowerCase();
  const entityType = type === undefined ? 'organization' : TYPES[type];
  if (entityType === 'skip') return { kind: 'skipped' };
  if (!entityType) return problem(`unknown SDN_Type "${type}"`);
  const facts = entityType === 'person' ? parseRemarks(ofacValue(fields[11])) : { birthDates: [], nationalities: [] };
  const alt = aliases?.get(entNum);
  const names = [...new Set([name, ...(alt?.strong ?? [])])];
  const entry: ParsedEntry = {
    sourceId: entNum,
    entityType,
    names,
    weakAliases: [...new Set(alt?.weak ?? [])].filter((n) => !names.includes(n)),
    birthDates: facts.birthDates,
    nationalities: facts.nationalities,
    topics: ['sanction'],
    programs: parsePrograms(fields[3]),
    datasets: [],
  };
  return { kind: 'entry', entry };
}

export type AliasMap = Map<string, { strong: string[]; weak: string[] }>;

/**
 * alt.csv into memory, keyed by ent_num. The real file is a few tens of thousands of short rows, so holding it
 * is cheap and lets sdn.csv stream. Weak AKAs (low-quality aliases OFAC marks in alt_remarks) are kept apart.
 */
export async function readAltFile(path: string, problems: ParseProblem[]): Promise<AliasMap> {
  const map: AliasMap = new Map();
  for await (const rec of readCsv(path)) {
    if ('error' in rec) {
      problems.push({ line: rec.line, message: `alt.csv: ${rec.error}` });
      continue;
    }
    const f = rec.fields;
    if (f.every((x) => x.trim() === '' || x.trim() === '\x1a')) continue;
    const entNum = f[0]?.trim() ?? '';
    if (f.length !== ALT_COLUMNS || !/^\d+$/.test(entNum)) {
      if (!(rec.line === 1 && /ent_num/i.test(entNum))) {
        problems.push({ line: rec.line, message: `alt.csv: expected ${ALT_COLUMNS} columns with an integer ent_num` });
      }
      continue;
    }
    const altName = ofacValue(f[3]);
    if (!altName) continue;
    const slot = map.get(entNum) ?? { strong: [], weak: [] };
    if (/weak/i.test(f[4] ?? '')) slot.weak.push(altName);
    else slot.strong.push(altName);
    map.set(entNum, slot);
  }
  return map;
}

export async function* readOfacSdn(path: string, altPath?: string): AsyncGenerator<LoaderItem> {
  const altProblems: ParseProblem[] = [];
  const aliases = altPath ? await readAltFile(altPath, altProblems) : undefined;
  for (const problem of altProblems) yield { kind: 'problem', problem };
  for await (const rec of readCsv(path)) {
    if ('error' in rec) {
      yield { kind: 'problem', problem: { line: rec.line, message: rec.error } };
      continue;
    }
    const item = parseSdnRow(rec.fields, rec.line, aliases);
    if (item) yield item;
  }
}
