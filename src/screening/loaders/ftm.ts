// OpenSanctions / FollowTheMoney entities, one JSON object per line (entities.ftm.json, targets …). Each entity:
// {id, schema, properties: {name[], alias[], weakAlias[], birthDate[], nationality[], topics[], …}, datasets[]}.
// Only people and organisations are screening targets; Sanction, Address, Ownership, … lines are skipped.
import fs from 'node:fs';
import readline from 'node:readline';
import { toAlpha2List } from '../countries.js';
import { normalizeIsoDate } from '../dates.js';
import type { EntityType, LoaderItem, ParsedEntry } from '../types.js';

const SCHEMAS: Record<string, EntityType> = {
  Person: 'person',
  Organization: 'organization',
  Company: 'organization',
  LegalEntity: 'organization',
  PublicBody: 'organization',
};

type Props = Record<string, unknown>;

function strings(props: Props, key: string): string[] {
  const v = props[key];
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** One parsed line → an entry, a problem, or a deliberate skip. Exported for tests. */
export function parseFtmLine(text: string, line: number): LoaderItem | undefined {
  const t = text.trim();
  if (!t) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(t);
  } catch {
    return { kind: 'problem', problem: { line, message: 'not valid JSON' } };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return { kind: 'problem', problem: { line, message: 'expected one JSON object per line' } };
  }
  const o = obj as Record<string, unknown>;
  if (typeof o.id !== 'string' || !o.id || typeof o.schema !== 'string') {
    return { kind: 'problem', problem: { line, message: 'entity without string "id" and "schema"' } };
  }
  const entityType = SCHEMAS[o.schema];
  if (!entityType) return { kind: 'skipped' };
  const props = (typeof o.properties === 'object' && o.properties !== null ? o.properties : {}) as Props;
  let names = strings(props, 'name');
  if (!names.length && entityType === 'person') {
    const composed = [...strings(props, 'firstName'), ...strings(props, 'middleName'), ...strings(props, 'lastName')];
    if (composed.length) names = [composed.join(' ')];
  }
  names = unique([...names, ...strings(props, 'alias'), ...strings(props, 'previousName')]);
  if (!names.length) return { kind: 'problem', problem: { line, message: `entity ${o.id} has no name` } };
  const entry: ParsedEntry = {
    sourceId: o.id,
    entityType,
    names,
    weakAliases: unique(strings(props, 'weakAlias')).filter((n) => !names.includes(n)),
    birthDates: unique(
      strings(props, 'birthDate')
        .map(normalizeIsoDate)
        .filter((d): d is string => !!d),
    ),
    nationalities: toAlpha2List([...strings(props, 'nationality'), ...strings(props, 'citizenship')]),
    topics: unique(strings(props, 'topics')),
    programs: unique([...strings(props, 'program'), ...strings(props, 'programId')]),
    datasets: Array.isArray(o.datasets) ? unique(o.datasets.filter((d): d is string => typeof d === 'string')) : [],
  };
  return { kind: 'entry', entry };
}

export async function* readFtm(path: string): AsyncGenerator<LoaderItem> {
  const rl = readline.createInterface({
    input: fs.createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  let line = 0;
  for await (const text of rl) {
    line++;
    const item = parseFtmLine(text, line);
    if (item) yield item;
  }
}
