import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { importListFile, loadListsFromDataDir } from '../../src/screening/import.js';
import { loadScreeningIndex, ScreeningIndexHolder, screenPerson } from '../../src/screening/service.js';
import { screeningCheck } from '../../src/verification/cases/screening-check.js';
import { listLists } from '../../src/screening/store.js';
import {
  CLEAR_APPLICANT,
  FTM_FIXTURE,
  OFAC_ALT_FIXTURE,
  OFAC_SDN_FIXTURE,
  PEP_APPLICANT,
  SANCTIONED_APPLICANT,
} from '../fixtures/screening/index.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';

let deps: TestDeps;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-screening-import-'));
const clock = new ManualClock(new Date('2026-11-22T08:00:00Z'));

beforeAll(async () => {
  deps = await createTestDeps({ clock });
});
afterAll(async () => {
  await deps?.cleanup();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const count = async (list: string) =>
  Number(
    (
      await deps.db
        .knex('screening_entries as e')
        .join('screening_lists as l', 'l.id', 'e.list_id')
        .where('l.name', list)
        .count<{ n: number }[]>({ n: '*' })
    )[0]!.n,
  );

describe('importing lists', () => {
  it('screening is not performed before any list is imported', async () => {
    const r = screenPerson(await loadScreeningIndex(deps.db), SANCTIONED_APPLICANT);
    expect(r).toMatchObject({ clear: false, performed: false });
    expect(screeningCheck(r).code).toBe('screening_unavailable');
  });

  it('imports both fixture formats and finds the sanctioned applicant on both', async () => {
    const ftm = await importListFile(deps.db, FTM_FIXTURE, { clock });
    expect(ftm).toMatchObject({ status: 'imported', list: 'sanctions', format: 'ftm', entries: 26, skipped: 4, problems: 0 });
    const ofac = await importListFile(deps.db, OFAC_SDN_FIXTURE, { clock });
    expect(ofac).toMatchObject({ status: 'imported', list: 'us_ofac_sdn', alt_file: 'alt.csv', entries: 8, skipped: 2 });

    const index = await loadScreeningIndex(deps.db);
    const hit = screenPerson(index, SANCTIONED_APPLICANT, clock);
    expect(hit.clear).toBe(false);
    expect(hit.hits.map((h) => h.list).sort()).toEqual(['sanctions', 'us_ofac_sdn']);
    expect(hit.hits.every((h) => h.birth_date === 'match' && h.nationality === 'match')).toBe(true);
    expect(screeningCheck(hit).code).toBe('sanctions_match');
    expect(hit.lists.map((l) => l.name)).toEqual(['sanctions', 'us_ofac_sdn']);

    expect(screeningCheck(screenPerson(index, PEP_APPLICANT)).code).toBe('pep_match');
    const clear = screenPerson(index, CLEAR_APPLICANT);
    expect(clear).toMatchObject({ clear: true, performed: true, hits: [] });
  });

  it('matches a Cyrillic-only query and an OFAC alt.csv alias', async () => {
    const index = await loadScreeningIndex(deps.db);
    expect(screenPerson(index, { fullName: 'Фаррух Ташкентов' }).hits[0]?.source_id).toBe('kpf-tashkentov');
    const karim = screenPerson(index, { givenName: 'Bahram', familyName: 'Karimzadeh', birthDate: '1966-04-12' });
    expect(karim.hits[0]).toMatchObject({ source_id: '10001', matched_name: 'KARIMZADEH, Bahram', birth_date: 'match' });
  });

  it('does not screen people against organisations', async () => {
    const index = await loadScreeningIndex(deps.db);
    expect(screenPerson(index, { fullName: 'Orion Trust Bank' }).hits).toEqual([]);
  });

  it('re-importing the same file is a no-op', async () => {
    const before = await listLists(deps.db.knex);
    clock.advance(60_000);
    const again = await importListFile(deps.db, FTM_FIXTURE, { clock });
    expect(again).toMatchObject({ status: 'unchanged', list: 'sanctions', entries: 26 });
    expect(await listLists(deps.db.knex)).toEqual(before);
    expect(await count('sanctions')).toBe(26);
  });

  it('a newer version of a list replaces its entries', async () => {
    const lines = fs.readFileSync(FTM_FIXTURE, 'utf8').trim().split('\n');
    const newer = path.join(tmp, 'sanctions-20261201.ftm.json');
    fs.writeFileSync(newer, `${lines.slice(0, 5).join('\n')}\n`);
    clock.advance(60_000);
    const r = await importListFile(deps.db, newer, { clock });
    expect(r).toMatchObject({ status: 'imported', list: 'sanctions', entries: 5, replaced_previous: true });
    expect(await count('sanctions')).toBe(5);
    const lists = await listLists(deps.db.knex);
    expect(lists.find((l) => l.name === 'sanctions')).toMatchObject({ entryCount: 5, sourceFile: newer.split('/').pop() });
  });

  it('a file with no usable entries is refused and the previous version stays', async () => {
    const broken = path.join(tmp, 'sanctions.json');
    fs.writeFileSync(broken, '{"id": "a"\n{"also": "broken"}\n');
    await expect(importListFile(deps.db, broken, { format: 'ftm' })).rejects.toMatchObject({ code: 'empty_list' });
    expect(await count('sanctions')).toBe(5);
  });

  it('refuses unknown formats, alias files on their own, and missing files', async () => {
    const other = path.join(tmp, 'other.csv');
    fs.writeFileSync(other, 'a,b\n1,2\n');
    await expect(importListFile(deps.db, other)).rejects.toMatchObject({ code: 'unknown_list_format' });
    await expect(importListFile(deps.db, OFAC_ALT_FIXTURE)).rejects.toMatchObject({ code: 'alias_file' });
    await expect(importListFile(deps.db, path.join(tmp, 'missing.csv'))).rejects.toMatchObject({ code: 'file_not_found' });
  });
});

describe('loadListsFromDataDir and the index holder', () => {
  it('imports new files from DATA_DIR/lists, skips companions and known files, reports bad ones', async () => {
    const fresh = await createTestDeps();
    try {
      const listsDir = path.join(fresh.config.dataDir, 'lists');
      fs.mkdirSync(listsDir, { recursive: true });
      for (const f of [FTM_FIXTURE, OFAC_SDN_FIXTURE, OFAC_ALT_FIXTURE]) fs.copyFileSync(f, path.join(listsDir, path.basename(f)));
      fs.writeFileSync(path.join(listsDir, 'junk.csv'), 'x,y\n');
      fs.writeFileSync(path.join(listsDir, 'notes.txt'), 'ignored');

      const holder = new ScreeningIndexHolder(fresh.db);
      expect(screenPerson(holder.get(), SANCTIONED_APPLICANT).performed).toBe(false);

      const first = await loadListsFromDataDir(fresh.db, fresh.config.dataDir);
      expect(first.map((r) => [r.file, r.status])).toEqual([
        ['alt.csv', 'skipped'],
        ['junk.csv', 'failed'],
        ['sanctions.ftm.json', 'imported'],
        ['sdn.csv', 'imported'],
      ]);
      const second = await loadListsFromDataDir(fresh.db, fresh.config.dataDir);
      expect(second.filter((r) => r.status === 'imported')).toEqual([]);

      await holder.refresh();
      expect(holder.get().lists).toHaveLength(2);
      expect(screenPerson(holder.get(), SANCTIONED_APPLICANT).hits).toHaveLength(2);
    } finally {
      await fresh.cleanup();
    }
  });

  it('returns nothing when DATA_DIR/lists does not exist', async () => {
    expect(await loadListsFromDataDir(deps.db, path.join(tmp, 'nope'))).toEqual([]);
  });
});
