// Typed document data for generated test documents, plus a seeded random generator so accuracy runs are repeatable.

export type Sex = 'M' | 'F' | 'X';

export interface DocumentFields {
  /** Printed (visual zone) spelling; may contain diacritics. The MRZ gets the ICAO transliteration. */
  surname: string;
  givenNames: string;
  /** ICAO 3-letter codes; UTO is the ICAO specimen state. */
  issuingState: string;
  nationality: string;
  /** ISO dates, YYYY-MM-DD. */
  birthDate: string;
  issueDate: string;
  expiryDate: string;
  sex: Sex;
  documentNumber: string;
  /** Personal number (TD3) / optional data; MRZ alphabet only, may be empty. */
  optionalData: string;
  placeOfBirth: string;
}

/** mulberry32: tiny, fast, good enough to vary test data deterministically. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = [
  'Eriksson', 'Müller', 'García López', "O'Brien", 'Nowak', 'Dubois', 'Østergård', 'Schmidt', 'Kowalczyk',
  'Rossi', 'Papadopoulos', 'Novák', 'Jääskeläinen', 'Fernández', 'Smith-Jones', 'Van der Berg', 'Nguyen',
  'Weiß', 'Håkansson', 'Sánchez', 'Ivanova', 'Çelik', 'Byrne', 'Moreau', 'Lindqvist',
];
const GIVEN: Record<'M' | 'F', string[]> = {
  F: ['Anna Maria', 'Zoë', 'Chloé', 'Ingrid', 'Małgorzata', 'Sofia', 'Léa', 'Björk', 'Ayşe', 'Mary Kate', 'Eva'],
  M: ['José', 'François', 'Jürgen', 'Lars Erik', 'Paweł', 'Giovanni', 'Seán', 'Tomáš', 'Ömer', 'John Paul', 'Ivan'],
};
// No UTO: a specimen is refused outside sandbox mode; ask for one with specimenFields / `specimen: true`.
const STATES = ['BEL', 'D<<', 'FRA', 'SWE', 'POL', 'ITA', 'NLD', 'IRL', 'ESP', 'GRC'];
const PLACES = ['Utopia City', 'Berlin', 'Lyon', 'Göteborg', 'Kraków', 'Roma', 'Sevilla', 'Cork'];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

/** Random but plausible fields, valid (not expired) relative to `now`. */
export function randomFields(rnd: () => number, now: Date, opts: { numberLength?: number } = {}): DocumentFields {
  const sex: 'M' | 'F' = rnd() < 0.5 ? 'M' : 'F';
  const state = pick(rnd, STATES);
  const age = 18 + Math.floor(rnd() * 60);
  const birth = new Date(Date.UTC(now.getUTCFullYear() - age, Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28)));
  const issued = new Date(now.getTime() - Math.floor(rnd() * 9 * 365) * 86_400_000);
  const expiry = new Date(Date.UTC(issued.getUTCFullYear() + 10, issued.getUTCMonth(), issued.getUTCDate()) - 86_400_000);
  const len = opts.numberLength ?? 9;
  let number = pick(rnd, ALNUM.slice(0, 26).split(''));
  while (number.length < len) number += pick(rnd, ALNUM.split(''));
  const optionalData = rnd() < 0.5 ? '' : Array.from({ length: 10 }, () => pick(rnd, '0123456789'.split(''))).join('');
  return {
    surname: pick(rnd, SURNAMES),
    givenNames: pick(rnd, GIVEN[sex]),
    issuingState: state,
    nationality: state,
    birthDate: isoDay(birth),
    issueDate: isoDay(issued),
    expiryDate: isoDay(expiry),
    sex,
    documentNumber: number,
    optionalData,
    placeOfBirth: pick(rnd, PLACES),
  };
}

/**
 * The generator's default: the specimen person's printed data on a real state (NLD) with a made-up document
 * number, so it passes outside sandbox mode (not a specimen: see src/verification/cases/specimen.ts).
 */
export function defaultFields(now: Date, overrides: Partial<DocumentFields> = {}): DocumentFields {
  return specimenFields(now, { issuingState: 'NLD', nationality: 'NLD', documentNumber: 'NX4K82P71', ...overrides });
}

/** The ICAO specimen person (Doc 9303 Part 4 example, state UTO), valid until ten years after `now`. */
export function specimenFields(now: Date, overrides: Partial<DocumentFields> = {}): DocumentFields {
  const y = now.getUTCFullYear();
  return {
    surname: 'Eriksson',
    givenNames: 'Anna María',
    issuingState: 'UTO',
    nationality: 'UTO',
    birthDate: '1974-08-12',
    issueDate: `${y - 1}-04-16`,
    expiryDate: `${y + 9}-04-15`,
    sex: 'F',
    documentNumber: 'L898902C3',
    optionalData: 'ZE184226B',
    placeOfBirth: 'Zenith',
    ...overrides,
  };
}
