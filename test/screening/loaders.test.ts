import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsv } from '../../src/screening/csv.js';
import { readFtm } from '../../src/screening/loaders/ftm.js';
import { detectFormat, findAltFile, readList } from '../../src/screening/loaders/index.js';
import { parsePrograms, parseRemarks, readOfacSdn } from '../../src/screening/loaders/ofac.js';
import type { LoaderItem, ParsedEntry } from '../../src/screening/types.js';
import { FTM_FIXTURE, OFAC_ALT_FIXTURE, OFAC_SDN_FIXTURE } from '../fixtures/screening/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-screening-loaders-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, content);
  return p;
}

async function collect(gen: AsyncGenerator<LoaderItem>) {
  const entries: ParsedEntry[] = [];
  const problems: { line: number; message: string }[] = [];
  let skipped = 0;
  for await (const item of gen) {
    if (item.kind === 'entry') entries.push(item.entry);
    else if (item.kind === 'problem') problems.push(item.problem);
    else skipped++;
  }
  return { entries, problems, skipped, byId: new Map(entries.map((e) => [e.sourceId, e])) };
}

describe('FtM JSON lines loader', () => {
  it('reads people and organisations and skips other schemas', async () => {
    const r = await collect(readFtm(FTM_FIXTURE));
    expect(r.problems).toEqual([]);
    expect(r.entries).toHaveLength(26);
    expect(r.entries.filter((e) => e.entityType === 'person')).toHaveLength(22);
    expect(r.skipped).toBe(4);
    const v = r.byId.get('kpf-velikanov-radomir')!;
    expect(v.names).toEqual(['Radomir Petrovich Velikanov', 'Радомир Петрович Великанов', 'Velikanov Radomir']);
    expect(v.weakAliases).toEqual(['Radko']);
    expect(v.birthDates).toEqual(['1971-03-14']);
    expect(v.nationalities).toEqual(['RU']);
    expect(v.topics).toEqual(['sanction']);
    expect(v.programs).toEqual(['KP-FIXTURE-EO1']);
    expect(v.datasets).toEqual(['kp_fixture_sanctions']);
    expect(r.byId.get('kpf-brandstaetter')!.birthDates).toEqual(['1975-09']);
    expect(r.byId.get('kpf-nakashima')!.nationalities).toEqual(['JP', 'RU']);
  });

  it('composes a name from firstName/lastName when name is missing', async () => {
    const r = await collect(readFtm(FTM_FIXTURE));
    expect(r.byId.get('kpf-fjellheimsen')!.names).toEqual(['Oskar Fjellheimsen']);
  });

  it('counts malformed lines with their line numbers instead of failing', async () => {
    const good = fs.readFileSync(FTM_FIXTURE, 'utf8').split('\n')[0];
    const file = write(
      'bad.ftm.json',
      [
        good,
        '{"id": "x1", "schema": "Person", "properties": {"name": ["Trunc',
        '[1, 2, 3]',
        '{"schema": "Person", "properties": {"name": ["No Id"]}}',
        '',
        '{"id": "x2", "schema": "Person", "properties": {"alias": 5}}',
        '{"id": "x3", "schema": "Person", "properties": {"name": ["Valid Person"], "birthDate": ["19xx", "1970-13-40"]}}',
      ].join('\n'),
    );
    const r = await collect(readFtm(file));
    expect(r.entries.map((e) => e.sourceId)).toEqual(['kpf-velikanov-radomir', 'x3']);
    expect(r.byId.get('x3')!.birthDates).toEqual(['1970']);
    expect(r.problems.map((p) => p.line)).toEqual([2, 3, 4, 6]);
    expect(r.problems[0]!.message).toMatch(/JSON/);
  });
});

describe('OFAC SDN CSV loader', () => {
  it('reads individuals and entities, skips vessels and aircraft, joins alt.csv', async () => {
    const r = await collect(readOfacSdn(OFAC_SDN_FIXTURE, OFAC_ALT_FIXTURE));
    expect(r.problems).toEqual([]);
    expect(r.skipped).toBe(2);
    expect(r.entries).toHaveLength(8);
    const b = r.byId.get('10001')!;
    expect(b.entityType).toBe('person');
    expect(b.names).toEqual(['KARIMZADEH-TABRIZI, Bahram', 'KARIMZADEH, Bahram', 'TABRIZI, Bahram Karimzadeh']);
    expect(b.birthDates).toEqual(['1966-04-12']);
    expect(b.nationalities).toEqual(['IR']);
    expect(b.programs).toEqual(['IRAN', 'SDGT']);
    expect(b.topics).toEqual(['sanction']);
    expect(r.byId.get('10002')!.entityType).toBe('organization');
    expect(r.byId.get('10008')!.weakAliases).toEqual(['ABU SAMIR']);
    expect(r.byId.get('10009')!.birthDates).toEqual([]);
    expect(r.byId.get('10010')!.nationalities).toEqual(['PL', 'DE']);
  });

  it('parses DOB ranges, circa and alt. DOB from remarks', () => {
    expect(parseRemarks('DOB 1962 to 1964; POB Aleppo, Syria; nationality Syria.')).toEqual({
      birthDates: ['1962', '1963', '1964'],
      nationalities: ['SY'],
    });
    expect(parseRemarks('DOB circa 1955; alt. DOB 03 Feb 1956; nationality Colombia').birthDates).toEqual([
      '1955',
      '1956-02-03',
    ]);
    expect(parseRemarks('DOB Feb 1960; citizen Korea, North')).toEqual({ birthDates: ['1960-02'], nationalities: ['KP'] });
    expect(parseRemarks('DOB 1900 to 1950').birthDates).toEqual([]); // too wide to mean anything
    expect(parseRemarks(undefined)).toEqual({ birthDates: [], nationalities: [] });
  });

  it('splits the bracket-stripped Program column', () => {
    expect(parsePrograms('SDGT] [IRGC] [IFSR')).toEqual(['SDGT', 'IRGC', 'IFSR']);
    expect(parsePrograms('-0- ')).toEqual([]);
  });

  it('reports malformed rows and keeps reading', async () => {
    const file = write(
      'bad_sdn.csv',
      [
        'ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,Tonnage,GRT,Vess_flag,Vess_owner,Remarks',
        '1,"TOO, Few","individual"',
        'abc,"NOT, Integer","individual","X","-0-","-0-","-0-","-0-","-0-","-0-","-0-","-0-"',
        '2,"-0- ","individual","X","-0-","-0-","-0-","-0-","-0-","-0-","-0-","-0-"',
        '3,"GOOD, Person","individual","X","-0-","-0-","-0-","-0-","-0-","-0-","-0-","DOB 01 Jan 1960"',
        '4,"ODD, Type","submarine","X","-0-","-0-","-0-","-0-","-0-","-0-","-0-","-0-"',
        '5,"UNTERMINATED, Quote,"individual","X","-0-","-0-","-0-","-0-","-0-","-0-","-0-","-0-"',
      ].join('\n'),
    );
    const r = await collect(readOfacSdn(file));
    expect(r.entries.map((e) => e.sourceId)).toEqual(['3']);
    expect(r.entries[0]!.birthDates).toEqual(['1960-01-01']);
    expect(r.problems.map((p) => p.line)).toEqual([2, 3, 4, 6, 7]);
  });
});

describe('CSV reader', () => {
  it('handles quoted commas, doubled quotes, line breaks in quotes and CRLF', async () => {
    const file = write('q.csv', '1,"a, b","say ""hi""","two\r\nlines"\r\n2,x,,z\r\n\x1a');
    const recs = [];
    for await (const r of readCsv(file)) recs.push(r);
    expect(recs).toEqual([
      { line: 1, fields: ['1', 'a, b', 'say "hi"', 'two\nlines'] },
      { line: 3, fields: ['2', 'x', '', 'z'] },
      { line: 4, fields: ['\x1a'] },
    ]);
  });

  it('ends records at a lone CR too, and keeps an empty line as one empty field', async () => {
    const recs = [];
    for await (const r of readCsv(write('cr.csv', 'a,b\rc,"d\re"\n\ng\r\n'))) recs.push(r);
    expect(recs).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['c', 'd\ne'] },
      { line: 4, fields: [''] },
      { line: 5, fields: ['g'] },
    ]);
  });

  it('reports a quote left open and a runaway record, after the records before them', async () => {
    const open = [];
    for await (const r of readCsv(write('open.csv', '1,ok\n2,"never\nclosed\n'))) open.push(r);
    expect(open).toEqual([{ line: 1, fields: ['1', 'ok'] }, { line: 2, error: 'unterminated quoted field at end of file' }]);
    const long = [];
    for await (const r of readCsv(write('long.csv', `1,ok\n2,"${'x'.repeat(70_000)}\n3,z\n`))) long.push(r);
    expect(long).toEqual([{ line: 1, fields: ['1', 'ok'] }, { line: 2, error: 'record too long (unterminated quote?)' }]);
  });
});

describe('format detection', () => {
  it('detects by content, not by name', async () => {
    expect(await detectFormat(FTM_FIXTURE)).toBe('ftm');
    expect(await detectFormat(OFAC_SDN_FIXTURE)).toBe('ofac-sdn');
    expect(await detectFormat(OFAC_ALT_FIXTURE)).toBe('ofac-alt');
    const renamed = write('list.txt', fs.readFileSync(FTM_FIXTURE, 'utf8'));
    expect(await detectFormat(renamed)).toBe('ftm');
    expect(await detectFormat(write('other.csv', 'a,b,c\n1,2,3\n'))).toBeUndefined();
  });

  it('finds alt.csv beside sdn.csv and dispatches by format', async () => {
    expect(findAltFile(OFAC_SDN_FIXTURE)).toBe(OFAC_ALT_FIXTURE);
    const r = await collect(readList(OFAC_SDN_FIXTURE, 'ofac-sdn', findAltFile(OFAC_SDN_FIXTURE)));
    expect(r.byId.get('10004')!.names).toContain('ВЕЛИКАНОВ, Радомир');
  });
});
