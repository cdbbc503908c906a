// Queries for screening_lists / screening_entries. No business rules here.
import type { Queryable } from '../db/index.js';
import type { EntityType, ListFormat, ListInfo, ParsedEntry } from './types.js';

interface ListRow {
  id: string;
  name: string;
  format: string;
  source_file: string;
  source_file_sha256: string;
  imported_at: Date;
  entry_count: number;
}

function toListInfo(r: ListRow): ListInfo {
  return {
    id: r.id,
    name: r.name,
    format: r.format as ListFormat,
    sourceFile: r.source_file,
    sourceFileSha256: r.source_file_sha256,
    importedAt: r.imported_at,
    entryCount: r.entry_count,
  };
}

export async function listLists(q: Queryable): Promise<ListInfo[]> {
  const rows = (await q('screening_lists').select('*').orderBy('name')) as ListRow[];
  return rows.map(toListInfo);
}

export async function findListByName(q: Queryable, name: string): Promise<ListInfo | undefined> {
  const row = (await q('screening_lists').where({ name }).first()) as ListRow | undefined;
  return row ? toListInfo(row) : undefined;
}

export async function findListBySha(q: Queryable, sha256: string): Promise<ListInfo | undefined> {
  const row = (await q('screening_lists').where({ source_file_sha256: sha256 }).first()) as ListRow | undefined;
  return row ? toListInfo(row) : undefined;
}

export interface ListWrite {
  id: string;
  name: string;
  format: ListFormat;
  sourceFile: string;
  sourceFileSha256: string;
  importedAt: Date;
  entryCount: number;
  problemCount: number;
  skippedCount: number;
}

export async function insertList(q: Queryable, l: ListWrite): Promise<void> {
  await q('screening_lists').insert({
    id: l.id,
    name: l.name,
    format: l.format,
    source_file: l.sourceFile,
    source_file_sha256: l.sourceFileSha256,
    imported_at: l.importedAt,
    entry_count: l.entryCount,
    problem_count: l.problemCount,
    skipped_count: l.skippedCount,
  });
}

export async function updateList(q: Queryable, l: ListWrite): Promise<void> {
  await q('screening_lists').where({ id: l.id }).update({
    format: l.format,
    source_file: l.sourceFile,
    source_file_sha256: l.sourceFileSha256,
    imported_at: l.importedAt,
    entry_count: l.entryCount,
    problem_count: l.problemCount,
    skipped_count: l.skippedCount,
  });
}

export async function deleteEntries(q: Queryable, listId: string): Promise<void> {
  await q('screening_entries').where({ list_id: listId }).delete();
}

export async function insertEntries(
  q: Queryable,
  listId: string,
  entries: { entry: ParsedEntry; normalized: string[] }[],
): Promise<void> {
  if (!entries.length) return;
  await q('screening_entries').insert(
    entries.map(({ entry: e, normalized }) => ({
      list_id: listId,
      source_id: e.sourceId,
      entity_type: e.entityType,
      names: e.names,
      normalized_names: normalized,
      weak_aliases: e.weakAliases,
      birth_dates: e.birthDates,
      nationalities: e.nationalities,
      topics: e.topics,
      programs: e.programs,
      datasets: e.datasets,
    })),
  );
}

export interface StoredEntry {
  id: number;
  listId: string;
  sourceId: string;
  entityType: EntityType;
  names: string[];
  normalizedNames: string[];
  birthDates: string[];
  nationalities: string[];
  topics: string[];
}

/**
 * Every entry of the given type, in pages by id so a million rows never sit in one result set. Each page comes
 * back as one json_agg text value: parsing JSON is much faster than row-by-row text[] decoding
 * (docs/measurements.md), and index builds read every row.
 */
export async function* iterateEntries(
  q: Queryable,
  entityType: EntityType,
  pageSize = 5000,
): AsyncGenerator<StoredEntry[]> {
  let after = 0;
  for (;;) {
    const res = await q.raw<{ rows: { page: string }[] }>(
      `select coalesce(json_agg(json_build_array(id, list_id, source_id, entity_type, names, normalized_names,
         birth_dates, nationalities, topics) order by id)::text, '[]') as page
       from (select * from screening_entries where entity_type = ? and id > ? order by id limit ?) s`,
      [entityType, after, pageSize],
    );
    const rows = JSON.parse(res.rows[0]!.page) as [number, string, string, EntityType, ...string[][]][];
    if (!rows.length) return;
    after = Number(rows[rows.length - 1]![0]);
    yield rows.map((r) => ({
      id: Number(r[0]),
      listId: r[1],
      sourceId: r[2],
      entityType: r[3],
      names: r[4]!,
      normalizedNames: r[5]!,
      birthDates: r[6]!,
      nationalities: r[7]!,
      topics: r[8]!,
    }));
  }
}
