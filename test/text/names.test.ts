import { describe, expect, it } from 'vitest';
import { jaro, jaroWinkler, mrzNameVariants, nameSimilarity, nameTokens, normalizeName } from '../../src/text/names.js';

describe('normalizeName', () => {
  it('strips diacritics, uppercases and collapses separators', () => {
    expect(normalizeName('  José-María  de la  Peña ')).toBe('JOSE MARIA DE LA PENA');
    expect(normalizeName("O'Brien, Seán")).toBe('O BRIEN SEAN');
    expect(normalizeName('Zoë Ångström-Čapek')).toBe('ZOE ANGSTROM CAPEK');
  });

  it('transliterates Latin letters that have no decomposition', () => {
    expect(normalizeName('Straße Łukasz Ærø Þórður Đorđe Œuvre')).toBe('STRASSE LUKASZ AERO THORDUR DORDE OEUVRE');
  });

  it('transliterates Cyrillic per ICAO 9303', () => {
    expect(normalizeName('Иван Петров')).toBe('IVAN PETROV');
    expect(normalizeName('Щукин Жорж Юрьевич')).toBe('SHCHUKIN ZHORZH IUREVICH');
    expect(normalizeName('Горбачёв Сергей')).toBe('GORBACHEV SERGEI');
    expect(normalizeName('Їжак Ґонта Єва')).toBe('IZHAK GONTA IEVA');
  });

  it('transliterates Greek, including accented letters and final sigma', () => {
    expect(normalizeName('Θεόδωρος Παπαδόπουλος')).toBe('THEODOROS PAPADOPOULOS');
  });

  it('drops digits and unsupported scripts but keeps the Latin parts', () => {
    expect(normalizeName('Anna 2nd محمد Lee')).toBe('ANNA ND LEE');
    expect(normalizeName('')).toBe('');
    expect(normalizeName('---')).toBe('');
  });
});

describe('nameTokens', () => {
  it('drops honorifics', () => {
    expect(nameTokens('Dr. Jean-Luc Picard')).toEqual(['JEAN', 'LUC', 'PICARD']);
    expect(nameTokens('Mrs Ada Lovelace')).toEqual(['ADA', 'LOVELACE']);
    expect(nameTokens('Sheikh Ahmed')).toEqual(['SHEIKH', 'AHMED']);
  });
});

describe('mrzNameVariants', () => {
  it('lists every ICAO-allowed spelling of umlauts and Å', () => {
    const v = mrzNameVariants('Jürgen Åberg');
    expect(v).toContain('JUERGEN AABERG');
    expect(v).toContain('JURGEN ABERG');
    expect(v).toContain('JUERGEN ABERG');
    expect(v.every((s) => /^[A-Z ]+$/.test(s))).toBe(true);
  });

  it('omits apostrophes and turns hyphens into separators', () => {
    expect(mrzNameVariants("D'Arcy-Smith")).toEqual(['DARCY SMITH']);
  });

  it('handles ß and letters without alternatives', () => {
    expect(mrzNameVariants('Großmann')).toEqual(['GROSSMANN']);
    expect(mrzNameVariants('Иван')).toEqual(['IVAN']);
  });
});

describe('jaroWinkler', () => {
  it('matches the published reference values', () => {
    // Winkler's examples: MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.84, DIXON/DICKSONX 0.813.
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('DWAYNE', 'DUANE')).toBeCloseTo(0.84, 3);
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.813, 3);
    expect(jaro('MARTHA', 'MARHTA')).toBeCloseTo(0.944, 3);
  });

  it('handles identical, empty and disjoint strings', () => {
    expect(jaroWinkler('ANNA', 'ANNA')).toBe(1);
    expect(jaroWinkler('', 'ANNA')).toBe(0);
    expect(jaroWinkler('ABC', 'XYZ')).toBe(0);
  });

  it('is symmetric', () => {
    expect(jaroWinkler('KOWALSKI', 'KOVALSKY')).toBeCloseTo(jaroWinkler('KOVALSKY', 'KOWALSKI'), 12);
  });
});

describe('nameSimilarity', () => {
  it('ignores token order, script and diacritics', () => {
    expect(nameSimilarity('Petrov Ivan', 'Иван Петров')).toBe(1);
    expect(nameSimilarity('Hans Müller', 'MULLER, Hans')).toBe(1);
  });

  it('scores spelling variants high and different people low', () => {
    expect(nameSimilarity('Hans Mueller', 'Müller Hans')).toBeGreaterThan(0.9);
    expect(nameSimilarity('Ahmed Ali', 'Ahmad Aly')).toBeGreaterThan(0.85);
    expect(nameSimilarity('John Smith', 'Mary Jones')).toBeLessThan(0.7);
  });

  it('penalises missing tokens less than wrong tokens', () => {
    const missing = nameSimilarity('John Smith', 'John Paul Smith');
    const wrong = nameSimilarity('John Smith', 'Jane Smith');
    expect(missing).toBeGreaterThan(0.85);
    expect(missing).toBeLessThan(1);
    expect(wrong).toBeLessThan(missing);
  });

  it('compares names split differently', () => {
    expect(nameSimilarity('Abdul Rahman Said', 'Abdulrahman Said')).toBeGreaterThan(0.95);
  });

  it('credits initials', () => {
    expect(nameSimilarity('J. Smith', 'John Smith')).toBeGreaterThan(0.9);
  });

  it('returns 0 for empty names', () => {
    expect(nameSimilarity('', 'John')).toBe(0);
  });
});
