// Screening a person against the loaded lists, and the index lifecycle (build from the store, rebuild after an
// import). The decision engine calls screenPerson, then screeningCheck for its CheckResult.
import { systemClock, type Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { ValidationError } from '../http/errors.js';
import { log } from '../log.js';
import { nameTokens } from '../text/names.js';
import type { CheckResult } from '../verification/engine/types.js';
import { thresholds } from '../verification/thresholds.js';
import { toAlpha2 } from './countries.js';
import { normalizeIsoDate } from './dates.js';
import { ScreeningIndex, ScreeningIndexBuilder, type ListSummary } from './matcher.js';
import { combineScore, compareBirthDate, compareNationality } from './score.js';
import * as store from './store.js';
import type { Hit, ScreeningQuery, ScreeningResult } from './types.js';

/** Build the index from every person entry in the store (organisations are not screened against people). */
export async function loadScreeningIndex(db: Database): Promise<ScreeningIndex> {
  const lists = await store.listLists(db.knex);
  const summaries: ListSummary[] = lists.map((l) => ({
    name: l.name,
    version: l.sourceFileSha256.slice(0, 12),
    imported_at: l.importedAt.toISOString(),
    entries: l.entryCount,
  }));
  const listName = new Map(lists.map((l) => [l.id, l.name]));
  const builder = new ScreeningIndexBuilder(summaries);
  for await (const page of store.iterateEntries(db.knex, 'person')) {
    for (const e of page) builder.add({ ...e, list: listName.get(e.listId) ?? e.listId });
  }
  return builder.build();
}

/** Holds the current index; refresh() after imports swaps in a new one (screening in flight keeps the old). */
export class ScreeningIndexHolder {
  private index: ScreeningIndex = new ScreeningIndexBuilder([]).build();

  constructor(private readonly db: Database) {}

  get(): ScreeningIndex {
    return this.index;
  }

  async refresh(): Promise<ScreeningIndex> {
    const started = Date.now();
    this.index = await loadScreeningIndex(this.db);
    log.info('screening index built', {
      lists: this.index.lists.length,
      entries: this.index.entryCount,
      names: this.index.nameCount,
      ms: Date.now() - started,
    });
    return this.index;
  }
}

function queryNames(q: ScreeningQuery): string[][] {
  const out = new Map<string, string[]>();
  for (const raw of [q.fullName, [q.givenName, q.familyName].filter(Boolean).join(' ')]) {
    const toks = raw ? nameTokens(raw) : [];
    if (toks.length) out.set(toks.join(' '), toks);
  }
  return [...out.values()];
}

const t = thresholds.screening;

export function screenPerson(index: ScreeningIndex, query: ScreeningQuery, clock: Clock = systemClock): ScreeningResult {
  const base = { checked_at: clock.now().toISOString(), lists: [...index.lists], hits: [] as Hit[] };
  const birthDate = query.birthDate ? normalizeIsoDate(query.birthDate) : undefined;
  if (query.birthDate && (!birthDate || !/^\d{4}(-\d{2}){0,2}$/.test(query.birthDate))) {
    throw new ValidationError('birthDate must be YYYY-MM-DD (or YYYY / YYYY-MM).');
  }
  const nationality = toAlpha2(query.nationality);
  if (!index.lists.length) {
    return { ...base, clear: false, performed: false, reason: 'No sanctions/PEP list is loaded; screening was not performed.' };
  }
  const names = queryNames(query);
  if (!names.length) {
    return { ...base, clear: false, performed: false, reason: 'The query has no usable name; screening was not performed.' };
  }
  const queryName = names[0]!.join(' ');
  const hits: Hit[] = [];
  for (const c of index.searchNames(names)) {
    const dob = compareBirthDate(birthDate, c.entry.birthDates);
    const nat = compareNationality(nationality, c.entry.nationalities);
    const matchedName = c.entry.names[c.nameIndex] ?? c.entry.normalizedNames[c.nameIndex] ?? '';
    const { score, reasons } = combineScore(c.nameScore, matchedName, dob, nat);
    if (score < t.hitThreshold) continue;
    hits.push({
      entry_id: c.entry.id,
      list: c.entry.list,
      source_id: c.entry.sourceId,
      matched_name: matchedName,
      query_name: queryName,
      name_score: Math.round(c.nameScore * 1000) / 1000,
      birth_date: dob,
      nationality: nat,
      topics: [...c.entry.topics],
      score,
      reasons,
    });
  }
  hits.sort((a, b) => b.score - a.score);
  return { ...base, clear: hits.length === 0, performed: true, hits: hits.slice(0, t.maxHits) };
}

const isSanction = (topic: string) => topic.startsWith('sanction') || topic === 'crime.terror';
const isPep = (topic: string) => topic === 'role.pep' || topic === 'role.rca';

/**
 * The decision engine's view: failed when screening could not run (code screening_unavailable) or found a hit
 * (sanctions_match when any hit is a sanctions/terror listing, else pep_match when every hit is a PEP or close
 * associate, else watchlist_match: crime, debarment, …). score = best hit score, where higher means a STRONGER match.
 */
export function screeningCheck(result: ScreeningResult): CheckResult {
  const name = 'screening.sanctions_pep';
  const lists = result.lists.map((l) => ({ name: l.name, version: l.version, imported_at: l.imported_at }));
  if (!result.performed) {
    return {
      name,
      passed: false,
      score: null,
      threshold: t.hitThreshold,
      reason: result.reason ?? 'Screening was not performed.',
      code: 'screening_unavailable',
      details: { lists },
    };
  }
  if (result.clear) {
    return {
      name,
      passed: true,
      score: 0,
      threshold: t.hitThreshold,
      reason: `No match at or above ${t.hitThreshold} in ${result.lists.length} list(s).`,
      details: { lists, hits: 0 },
    };
  }
  const sanctioned = result.hits.some((h) => h.topics.some(isSanction));
  const pepOnly = result.hits.every((h) => h.topics.some(isPep));
  const code = sanctioned ? 'sanctions_match' : pepOnly ? 'pep_match' : 'watchlist_match';
  const top = result.hits[0]!;
  return {
    name,
    passed: false,
    score: top.score,
    threshold: t.hitThreshold,
    reason: `${result.hits.length} possible match(es); best "${top.matched_name}" on ${top.list} (${top.reasons.join(', ')}).`,
    code,
    details: {
      lists,
      hits: result.hits.map((h) => ({
        list: h.list,
        source_id: h.source_id,
        matched_name: h.matched_name,
        score: h.score,
        birth_date: h.birth_date,
        nationality: h.nationality,
        topics: h.topics,
      })),
    },
  };
}
