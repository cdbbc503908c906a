// Shapes shared by the screening loaders, store, index and service.

export type ListFormat = 'ftm' | 'ofac-sdn';
export const LIST_FORMATS: readonly ListFormat[] = ['ftm', 'ofac-sdn'];

export type EntityType = 'person' | 'organization';

/** One listed person or organisation as a loader yields it, before it is stored. */
export interface ParsedEntry {
  sourceId: string;
  entityType: EntityType;
  /** Primary name first, then aliases; weak aliases (OFAC "weak aka", FtM weakAlias) are kept apart. */
  names: string[];
  weakAliases: string[];
  /** 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'. */
  birthDates: string[];
  /** ISO 3166-1 alpha-2, uppercase. */
  nationalities: string[];
  /** FtM topics (sanction, role.pep, crime, …); OFAC rows get 'sanction'. */
  topics: string[];
  /** Sanctions programmes (OFAC Program column, FtM `program` when present). */
  programs: string[];
  /** Source datasets (FtM `datasets`, e.g. us_ofac_sdn, eu_fsf); empty for OFAC files. */
  datasets: string[];
}

/** A line the loader could not use; reported with the import, never fatal. */
export interface ParseProblem {
  line: number;
  message: string;
}

/** Loader output: entries, problems, and rows skipped on purpose (vessels, addresses, sanctions records, …). */
export type LoaderItem =
  | { kind: 'entry'; entry: ParsedEntry }
  | { kind: 'problem'; problem: ParseProblem }
  | { kind: 'skipped' };

export interface ListInfo {
  id: string;
  name: string;
  format: ListFormat;
  sourceFile: string;
  sourceFileSha256: string;
  importedAt: Date;
  entryCount: number;
}

export type BirthDateMatch = 'match' | 'year_match' | 'mismatch' | 'unknown';
export type NationalityMatch = 'match' | 'mismatch' | 'unknown';

export interface Hit {
  entry_id: number;
  list: string;
  source_id: string;
  matched_name: string;
  query_name: string;
  name_score: number;
  birth_date: BirthDateMatch;
  nationality: NationalityMatch;
  topics: string[];
  score: number;
  reasons: string[];
}

export interface ScreeningQuery {
  givenName?: string;
  familyName?: string;
  fullName?: string;
  /** 'YYYY-MM-DD' (a 'YYYY' or 'YYYY-MM' prefix is accepted too). */
  birthDate?: string;
  /** ISO alpha-2, alpha-3 (as in the MRZ, incl. 'D'), or an English country name. */
  nationality?: string;
}

export interface ScreeningResult {
  /** True only when at least one list was searched and nothing scored at or above the hit threshold. */
  clear: boolean;
  /** False when no list is loaded (or the query has no usable name): nothing was screened. */
  performed: boolean;
  /** Why screening was not performed, when it was not. */
  reason?: string;
  hits: Hit[];
  checked_at: string;
  lists: { name: string; version: string; imported_at: string; entries: number }[];
}
