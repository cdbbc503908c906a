// Importing list files: detect format, skip files already imported (same sha256), otherwise stream-parse and
// replace the list's entries in one transaction so screening never sees half a list.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import type { Knex } from 'knex';
import type { Database } from '../db/index.js';
import { BadRequestError, UnprocessableError } from '../http/errors.js';
import { newId } from '../ids.js';
import { log } from '../log.js';
import { normalizeName } from '../text/names.js';
import { detectFormat, findAltFile, readList } from './loaders/index.js';
import * as store from './store.js';
import type { ListFormat, ParsedEntry, ParseProblem } from './types.js';

export interface ImportOptions {
  format?: ListFormat;
  /** List name; the same name on a later import replaces that list. Default: see defaultListName. */
  name?: string;
  /** OFAC alt.csv; default: the alt file beside sdn.csv, if any. */
  altPath?: string;
  clock?: Clock;
  /** Runs inside the import's transaction once the list is written (the audit entry: it commits with the list). */
  onImported?: (trx: Knex.Transaction, report: ImportReport) => Promise<void>;
}

export interface ImportReport {
  status: 'imported' | 'unchanged';
  list: string;
  format: ListFormat;
  file: string;
  /** OFAC alt.csv read with the list, if any. */
  alt_file?: string;
  sha256: string;
  entries: number;
  skipped: number;
  problems: number;
  /** The first problems (line + message), enough to find the fault without flooding a terminal. */
  problem_samples: ParseProblem[];
  replaced_previous: boolean;
}

const BATCH = 1000;
const MAX_PROBLEM_SAMPLES = 20;

async function sha256File(file: string): Promise<string> {
  const h = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * OFAC files are always the one SDN list. FtM files are named after the collection, minus export suffixes and a
 * trailing date so that "peps-20261101.ftm.json" replaces "peps-20261001.ftm.json".
 */
export function defaultListName(file: string, format: ListFormat): string {
  if (format === 'ofac-sdn') return 'us_ofac_sdn';
  const base = path
    .basename(file)
    .replace(/(\.ftm)?\.(jsonl|json)$/i, '')
    .replace(/^entities$/i, 'opensanctions');
  return base.replace(/[-_.]?\d{4}-?\d{2}-?\d{2}$/, '') || base;
}

function toNormalized(e: ParsedEntry): { entry: ParsedEntry; normalized: string[] } {
  return { entry: e, normalized: e.names.map(normalizeName) };
}

export async function importListFile(db: Database, file: string, opts: ImportOptions = {}): Promise<ImportReport> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new BadRequestError('file_not_found', `List file not found: ${file}`);
  }
  const detected = await detectFormat(file);
  if (detected === 'ofac-alt' && !opts.format) {
    throw new UnprocessableError('alias_file', 'This is an OFAC alt.csv; import sdn.csv, which reads alt.csv beside it.');
  }
  const format = opts.format ?? (detected === 'ofac-alt' ? undefined : detected);
  if (!format) {
    throw new UnprocessableError('unknown_list_format', 'Not an FtM JSON-lines or OFAC SDN CSV file; pass --format.');
  }
  const altPath = format === 'ofac-sdn' ? (opts.altPath ?? findAltFile(file)) : undefined;
  let sha = await sha256File(file);
  // The alias file is part of the list: a new alt.csv with the same sdn.csv is a new version.
  if (altPath) sha = crypto.createHash('sha256').update(`${sha}:${await sha256File(altPath)}`).digest('hex');
  const name = opts.name ?? defaultListName(file, format);
  const base = {
    list: name,
    format,
    file: path.basename(file),
    ...(altPath ? { alt_file: path.basename(altPath) } : {}),
    sha256: sha,
    skipped: 0,
    problems: 0,
    problem_samples: [] as ParseProblem[],
  };

  const same = await store.findListBySha(db.knex, sha);
  if (same) {
    return { ...base, status: 'unchanged', list: same.name, entries: same.entryCount, replaced_previous: false };
  }

  const clock = opts.clock ?? systemClock;
  return db.knex.transaction(async (trx) => {
    const previous = await store.findListByName(trx, name);
    const listId = previous?.id ?? newId('scl');
    const row: store.ListWrite = {
      id: listId,
      name,
      format,
      sourceFile: path.basename(file),
      sourceFileSha256: sha,
      importedAt: clock.now(),
      entryCount: 0,
      problemCount: 0,
      skippedCount: 0,
    };
    if (previous) await store.deleteEntries(trx, listId);
    else await store.insertList(trx, row);

    let batch: ReturnType<typeof toNormalized>[] = [];
    const seen = new Set<string>();
    for await (const item of readList(file, format, altPath)) {
      if (item.kind === 'skipped') row.skippedCount++;
      else if (item.kind === 'problem') {
        row.problemCount++;
        if (base.problem_samples.length < MAX_PROBLEM_SAMPLES) base.problem_samples.push(item.problem);
      } else if (seen.has(item.entry.sourceId)) {
        row.problemCount++;
        if (base.problem_samples.length < MAX_PROBLEM_SAMPLES) {
          base.problem_samples.push({ line: 0, message: `duplicate id ${item.entry.sourceId} ignored` });
        }
      } else {
        seen.add(item.entry.sourceId);
        batch.push(toNormalized(item.entry));
        row.entryCount++;
        if (batch.length >= BATCH) {
          await store.insertEntries(trx, listId, batch);
          batch = [];
        }
      }
    }
    await store.insertEntries(trx, listId, batch);
    // An empty parse is a wrong file, never a list that was emptied: keep the previous version.
    if (row.entryCount === 0) {
      throw new UnprocessableError('empty_list', `No entries could be read from ${path.basename(file)}.`, [
        { problems: row.problemCount, samples: base.problem_samples },
      ]);
    }
    await store.updateList(trx, row);
    log.info('screening list imported', { list: name, format, entries: row.entryCount, problems: row.problemCount });
    const report = {
      ...base,
      status: 'imported' as const,
      entries: row.entryCount,
      skipped: row.skippedCount,
      problems: row.problemCount,
      replaced_previous: Boolean(previous),
    };
    await opts.onImported?.(trx, report);
    return report;
  });
}

const LIST_FILE = /\.(jsonl|json|csv)$/i;
// OFAC companion files that are not lists of their own.
const COMPANION = /^(alt|add|sdn_comments)\.csv$/i;

export interface DataDirImport {
  file: string;
  status: 'imported' | 'unchanged' | 'skipped' | 'failed';
  report?: ImportReport;
  error?: string;
}

/**
 * Import every DATA_DIR/lists/*.{jsonl,json,ftm.json,csv} not imported yet (by sha256). Call at start-up, then
 * (re)build the screening index. A bad file is reported and logged, never fatal: the others still load.
 */
export async function loadListsFromDataDir(db: Database, dataDir: string): Promise<DataDirImport[]> {
  const dir = path.join(dataDir, 'lists');
  if (!fs.existsSync(dir)) return [];
  const out: DataDirImport[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, f);
    if (!LIST_FILE.test(f) || !fs.statSync(full).isFile()) continue;
    if (COMPANION.test(f) || (await detectFormat(full)) === 'ofac-alt') {
      out.push({ file: f, status: 'skipped' });
      continue;
    }
    try {
      const report = await importListFile(db, full);
      out.push({ file: f, status: report.status, report });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      log.warn('screening list not imported', { file: f, error });
      out.push({ file: f, status: 'failed', error });
    }
  }
  return out;
}
