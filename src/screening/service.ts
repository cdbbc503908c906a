// Screening a person against the loaded lists, and the index lifecycle (build from the store, rebuild after an
// import). The decision engine calls screenPerson, then turns the result into a check (verification/cases/screening-check.ts).
import { systemClock, type Clock } from '../clock.js';
import type { Database } from '../db/index.js';
import { ValidationError } from '../http/errors.js';
import { log } from '../log.js';
import { nameTokens } from '../text/names.js';
import { toAlpha2 } from './countries.js';
import { normalizeIsoDate } from './dates.js';
import { ScreeningIndex, ScreeningIndexBuilder, type ListSummary } from './matcher.js';
import { screeningThresholds as t } from './thresholds.js';
import { combineScore, compareBirthDate, compareNationality } from './score.js';
import { sampleScreeningIndex } from './sample-list.js';
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

export interface ScreeningService {
  /** The current index, rebuilt when the stored lists changed (imports by the CLI or another process). */
  currentIndex(): Promise<ScreeningIndex>;
  /** Test mode's bundled sample list (sample-list.ts); never the imported lists. */
  sampleIndex(): Promise<ScreeningIndex>;
}

/** The screening domain's service (compose.ts): checks the stored lists' signature before each use. */
export function createScreeningService(db: Database): ScreeningService {
  const holder = new ScreeningIndexHolder(db);
  let signature: string | undefined;
  let refreshing: Promise<ScreeningIndex> | undefined;
  return {
    async currentIndex() {
      const lists = await store.listLists(db.knex);
      const sig = lists.map((l) => `${l.id}:${l.sourceFileSha256}:${l.importedAt.getTime()}`).sort().join(',');
      if (sig !== signature) {
        refreshing ??= holder.refresh().finally(() => (refreshing = undefined));
        await refreshing;
        signature = sig;
      }
      return holder.get();
    },
    sampleIndex: sampleScreeningIndex,
  };
}

function queryNames(q: ScreeningQuery): string[][] {
  const out = new Map<string, string[]>();
  for (const raw of [q.fullName, [q.givenName, q.familyName].filter(Boolean).join(' ')]) {
    const toks = raw ? nameTokens(raw) : [];
    if (toks.length) out.set(toks.join(' '), toks);
  }
  return [...out.values()];
}


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
