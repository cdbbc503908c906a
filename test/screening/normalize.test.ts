import { describe, expect, it } from 'vitest';
import { toAlpha2, toAlpha2List } from '../../src/screening/countries.js';
import { normalizeIsoDate, parseOfacDob } from '../../src/screening/dates.js';
import { compareBirthDate, compareNationality } from '../../src/screening/score.js';
import { blockingKeys, phoneticKey } from '../../src/screening/phonetic.js';

describe('toAlpha2', () => {
  it('maps alpha-2, alpha-3, ICAO MRZ codes and English names', () => {
    expect(toAlpha2('ir')).toBe('IR');
    expect(toAlpha2('IRN')).toBe('IR');
    expect(toAlpha2('Iran')).toBe('IR');
    expect(toAlpha2('Iran, Islamic Republic of')).toBe('IR');
    expect(toAlpha2('D')).toBe('DE');
    expect(toAlpha2('GBD')).toBe('GB');
    expect(toAlpha2('RKS')).toBe('XK');
    expect(toAlpha2('Korea, North')).toBe('KP');
    expect(toAlpha2('Burma')).toBe('MM');
    expect(toAlpha2("Côte d'Ivoire")).toBe('CI');
    expect(toAlpha2('Russian Federation')).toBe('RU');
  });

  it('leaves unknown and stateless codes unknown', () => {
    expect(toAlpha2('XXA')).toBeUndefined();
    expect(toAlpha2('UNO')).toBeUndefined();
    expect(toAlpha2('suhh')).toBeUndefined();
    expect(toAlpha2('ZZ')).toBeUndefined();
    expect(toAlpha2('')).toBeUndefined();
    expect(toAlpha2List(['ru', 'RUS', 'Russia', 'nowhere'])).toEqual(['RU']);
  });
});

describe('dates', () => {
  it('keeps only the precision a date has', () => {
    expect(normalizeIsoDate('1971-03-14')).toBe('1971-03-14');
    expect(normalizeIsoDate('1971-03-14T00:00:00')).toBe('1971-03-14');
    expect(normalizeIsoDate('1971-02-30')).toBe('1971-02');
    expect(normalizeIsoDate('1971-13')).toBe('1971');
    expect(normalizeIsoDate('71')).toBeUndefined();
    expect(parseOfacDob('05 Sep 1964')).toEqual(['1964-09-05']);
    expect(parseOfacDob('Sep 1964')).toEqual(['1964-09']);
    expect(parseOfacDob('circa 1964')).toEqual(['1964']);
    expect(parseOfacDob('01 Jan 1960 to 31 Dec 1961')).toEqual(['1960', '1961']);
    expect(parseOfacDob('sometime')).toEqual([]);
  });

  it('compares birth dates by precision', () => {
    expect(compareBirthDate('1971-03-14', ['1971-03-14'])).toBe('match');
    expect(compareBirthDate('1971-03-14', ['1971'])).toBe('year_match');
    expect(compareBirthDate('1971-03-14', ['1971-04-14'])).toBe('year_match');
    expect(compareBirthDate('1971-03-14', ['1969', '1980-01-01'])).toBe('mismatch');
    expect(compareBirthDate(undefined, ['1971'])).toBe('unknown');
    expect(compareBirthDate('1971-03-14', [])).toBe('unknown');
    expect(compareNationality('RU', ['UA', 'RU'])).toBe('match');
    expect(compareNationality('RU', ['UA'])).toBe('mismatch');
    expect(compareNationality(undefined, ['UA'])).toBe('unknown');
  });
});

describe('blocking keys', () => {
  it('puts spelling variants of a token under a shared key', () => {
    const share = (a: string, b: string) => blockingKeys(a).some((k) => blockingKeys(b).includes(k));
    expect(share('AHMED', 'AHMAD')).toBe(true);
    expect(share('YEVGENIY', 'EVGENII')).toBe(true);
    expect(share('KATHERINE', 'CATHERINE')).toBe(true);
    expect(share('KOWALSKI', 'KOVALSKY')).toBe(true);
    expect(share('HUSSEIN', 'HUSAYN')).toBe(true);
    expect(share('MOHAMMED', 'MOHAMED')).toBe(true);
    expect(share('PETROV', 'SMITH')).toBe(false);
    expect(phoneticKey('PHILIP')).toBe(phoneticKey('FILIP'));
    expect(blockingKeys('AL')).toEqual([]);
  });
});
