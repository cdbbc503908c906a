// Test mode's sanctions list (issue 14 §6): a small FtM file shipped with the code (fictional people; the
// "sanctioned name" sample document names one), indexed in memory on first use. Test-mode cases are screened
// against it with the real matcher, so a t2 test case needs no list import; live cases never see it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths.js';
import { normalizeName } from '../text/names.js';
import { readFtm } from './loaders/ftm.js';
import { ScreeningIndexBuilder, type ScreeningIndex } from './matcher.js';

export const SAMPLE_LIST_FILE = path.join(packageRoot, 'assets/screening/sample-sanctions.ftm.json');
export const SAMPLE_LIST_NAME = 'kycport_test_mode_sample';

let loading: Promise<ScreeningIndex> | undefined;

/** The sample list's index, built once per process. */
export function sampleScreeningIndex(): Promise<ScreeningIndex> {
  return (loading ??= build().catch((err: unknown) => {
    loading = undefined;
    throw err;
  }));
}

async function build(): Promise<ScreeningIndex> {
  const sha = crypto.createHash('sha256').update(await fs.promises.readFile(SAMPLE_LIST_FILE)).digest('hex');
  const entries = [];
  for await (const item of readFtm(SAMPLE_LIST_FILE)) if (item.kind === 'entry' && item.entry.entityType === 'person') entries.push(item.entry);
  const mtime = (await fs.promises.stat(SAMPLE_LIST_FILE)).mtime;
  const builder = new ScreeningIndexBuilder([{ name: SAMPLE_LIST_NAME, version: sha.slice(0, 12), imported_at: mtime.toISOString(), entries: entries.length }]);
  entries.forEach((e, i) =>
    builder.add({
      id: i + 1,
      list: SAMPLE_LIST_NAME,
      sourceId: e.sourceId,
      names: e.names,
      normalizedNames: e.names.map(normalizeName),
      birthDates: e.birthDates,
      nationalities: e.nationalities,
      topics: e.topics,
    }),
  );
  return builder.build();
}
