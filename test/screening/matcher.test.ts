import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { ScreeningIndexBuilder, type IndexEntry } from '../../src/screening/matcher.js';
import { screenPerson } from '../../src/screening/service.js';
import { screeningCheck } from '../../src/verification/cases/screening-check.js';
import { normalizeName } from '../../src/text/names.js';
import { thresholds } from '../../src/verification/thresholds.js';

let nextId = 1;
function entry(names: string[], extra: Partial<IndexEntry> = {}): IndexEntry {
  return {
    id: nextId++,
    list: 'test_list',
    sourceId: `src-${nextId}`,
    names,
    normalizedNames: names.map(normalizeName),
    birthDates: [],
    nationalities: [],
    topics: ['sanction'],
    ...extra,
  };
}

const LISTS = [{ name: 'test_list', version: 'abc123', imported_at: '2026-11-01T00:00:00.000Z', entries: 9 }];

function buildIndex(entries: IndexEntry[]) {
  const b = new ScreeningIndexBuilder(LISTS);
  for (const e of entries) b.add(e);
  return b.build();
}

const index = buildIndex([
  entry(['Dmitri Aleksandrovich Zhuravlyov', 'Дмитрий Александрович Журавлёв'], {
    birthDates: ['1966-05-04'],
    nationalities: ['RU'],
    sourceId: 'zhuravlyov',
  }),
  entry(['Sebastián Ñúñez Ibáñez'], { birthDates: ['1980'], nationalities: ['AR'], sourceId: 'nunez' }),
  entry(['Κωνσταντίνος Παπαδημητρίου'], { sourceId: 'papadimitriou' }),
  entry(['Grace Adebayo-Okafor'], { topics: ['role.pep'], birthDates: ['1970-02-02'], sourceId: 'pep' }),
  entry(['Lars Henriksen'], { topics: ['crime'], birthDates: ['1955-01-01'], sourceId: 'crime' }),
  entry(['Mohammed Yusuf Rahimi'], { birthDates: ['1975-03-03'], nationalities: ['AF'], sourceId: 'rahimi' }),
]);

const ids = (r: ReturnType<typeof screenPerson>) => r.hits.map((h) => h.source_id);

describe('screenPerson: name matching', () => {
  it('matches a Latin query against a Cyrillic alias', () => {
    const r = screenPerson(index, { fullName: 'Dmitrii Zhuravlev' });
    expect(ids(r)).toEqual(['zhuravlyov']);
    expect(r.clear).toBe(false);
  });

  it('ignores token order and diacritics', () => {
    expect(ids(screenPerson(index, { givenName: 'IBANEZ NUNEZ', familyName: 'SEBASTIAN' }))).toEqual(['nunez']);
    expect(ids(screenPerson(index, { fullName: 'Papadimitriou, Konstantinos' }))).toEqual(['papadimitriou']);
  });

  it('tolerates a typo and a missing middle name', () => {
    expect(ids(screenPerson(index, { fullName: 'Mohamed Rahimi' }))).toEqual(['rahimi']);
    expect(ids(screenPerson(index, { fullName: 'Dmitry Aleksandrovich Zhuravlyov' }))).toEqual(['zhuravlyov']);
  });

  it('does not hit clearly different names, or a shared surname alone', () => {
    for (const q of ['Anna Schmidt', 'Peter Zhukov', 'Ahmed Karimi', 'Olga Zhuravlyova Petrenko', 'Lars Andersen']) {
      expect(screenPerson(index, { fullName: q }).hits, q).toEqual([]);
    }
  });

  it('explains each hit', () => {
    const clock = new ManualClock(new Date('2026-11-22T10:00:00Z'));
    const r = screenPerson(index, { fullName: 'Dmitrii Zhuravlev', birthDate: '1966-05-04', nationality: 'RUS' }, clock);
    const h = r.hits[0]!;
    expect(h).toMatchObject({
      list: 'test_list',
      source_id: 'zhuravlyov',
      query_name: 'DMITRII ZHURAVLEV',
      birth_date: 'match',
      nationality: 'match',
      topics: ['sanction'],
    });
    expect(h.matched_name).toBe('Дмитрий Александрович Журавлёв');
    expect(h.score).toBeGreaterThan(h.name_score);
    expect(h.reasons).toEqual([expect.stringMatching(/similar/), 'same birth date', 'same nationality']);
    expect(r.checked_at).toBe('2026-11-22T10:00:00.000Z');
    expect(r.lists).toEqual(LISTS);
  });
});

describe('screenPerson: birth date and nationality', () => {
  // A near-miss name: below the hit threshold alone, a hit when the birth date agrees.
  const query = { fullName: 'Sebastian Nunes' };

  it('a matching date lifts a borderline name over the threshold, a conflicting one removes it', () => {
    const alone = screenPerson(index, { ...query, birthDate: undefined });
    const sameYear = screenPerson(index, { ...query, birthDate: '1980-07-01' });
    const other = screenPerson(index, { ...query, birthDate: '1990-07-01' });
    expect(sameYear.hits[0]?.birth_date).toBe('year_match');
    expect(sameYear.hits[0]!.score).toBeGreaterThan(alone.hits[0]?.score ?? 0);
    expect(other.hits).toEqual([]);
  });

  it('an exact name with a different birth date and nationality is not a hit', () => {
    const r = screenPerson(index, { fullName: 'Mohammed Yusuf Rahimi', birthDate: '1999-09-09', nationality: 'DEU' });
    expect(r.hits).toEqual([]);
    expect(r.clear).toBe(true);
  });

  it('nationality agreement raises and disagreement lowers the score', () => {
    const base = screenPerson(index, { fullName: 'Mohammed Yusuf Rahimi' }).hits[0]!;
    const same = screenPerson(index, { fullName: 'Mohammed Yusuf Rahimi', nationality: 'AFG' }).hits[0]!;
    const other = screenPerson(index, { fullName: 'Mohammed Yusuf Rahimi', nationality: 'Pakistan' }).hits[0]!;
    expect(same.nationality).toBe('match');
    expect(other.nationality).toBe('mismatch');
    expect(same.score).toBeGreaterThanOrEqual(base.score);
    expect(other.score).toBeLessThan(base.score);
  });

  it('rejects a malformed birth date instead of ignoring it', () => {
    expect(() => screenPerson(index, { fullName: 'X Y', birthDate: '04/05/1966' })).toThrow(/YYYY-MM-DD/);
  });
});

describe('screenPerson: when screening cannot be performed', () => {
  it('is not clear when no list is loaded', () => {
    const empty = new ScreeningIndexBuilder([]).build();
    const r = screenPerson(empty, { fullName: 'Anyone At All' });
    expect(r).toMatchObject({ clear: false, performed: false, hits: [], lists: [] });
    const check = screeningCheck(r);
    expect(check).toMatchObject({ name: 'screening.sanctions_pep', passed: false, code: 'screening_unavailable' });
  });

  it('is not clear without a usable name', () => {
    const r = screenPerson(index, { fullName: '  -- ' });
    expect(r.performed).toBe(false);
    expect(r.clear).toBe(false);
  });
});

describe('screeningCheck', () => {
  it('passes a clear result', () => {
    const c = screeningCheck(screenPerson(index, { fullName: 'Beatrix Lindqvist' }));
    expect(c).toMatchObject({ passed: true, score: 0, threshold: thresholds.screening.hitThreshold });
  });

  it('separates sanctions, PEP and other watchlist matches', () => {
    expect(screeningCheck(screenPerson(index, { fullName: 'Dmitrii Zhuravlev' })).code).toBe('sanctions_match');
    const pep = screeningCheck(screenPerson(index, { fullName: 'Grace Adebayo Okafor' }));
    expect(pep).toMatchObject({ passed: false, code: 'pep_match' });
    expect(pep.details!.hits).toEqual([expect.objectContaining({ source_id: 'pep', topics: ['role.pep'] })]);
    expect(screeningCheck(screenPerson(index, { fullName: 'Lars Henriksen' })).code).toBe('watchlist_match');
  });
});
