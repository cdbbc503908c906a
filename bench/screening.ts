// Screening speed and quality on synthetic lists of 100k and 1M people. Baseline: a naive linear scan that
// scores the query against every listed name with the same token-set Jaro-Winkler (no blocking), measured on
// a sample of the same queries in the same run. Also reports how many of the linear scan's name matches the
// blocked index finds (recall of blocking) and hit rates at the configured threshold.
import { ScreeningIndexBuilder, type ScreeningIndex } from '../src/screening/matcher.js';
import { screenPerson } from '../src/screening/service.js';
import { foldSpelling, nameTokens, tokenSetSimilarity } from '../src/text/names.js';
import { thresholds } from '../src/verification/thresholds.js';
import { makeEntries, makePools, perturb, randomName, rng } from '../test/fixtures/screening/synthetic.js';
import type { IndexEntry } from '../src/screening/matcher.js';
import type { BenchRow } from './lib/types.js';

export type { BenchRow };

interface Query {
  fullName: string;
  birthDate?: string;
  /** The entry the query was derived from (undefined for a random name). */
  target?: number;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(0)} ms`;
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function makeQueries(entries: IndexEntry[], n: number, seed: number, unrelated: ReturnType<typeof makePools>): Query[] {
  const r = rng(seed);
  const pools = unrelated;
  const out: Query[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      const e = entries[Math.floor(r() * entries.length)]!;
      const dob = e.birthDates.find((d) => d.length === 10);
      out.push({ fullName: perturb(r, e.normalizedNames[0]!), birthDate: dob, target: e.id });
    } else {
      const y = 1940 + Math.floor(r() * 60);
      out.push({ fullName: randomName(r, pools), birthDate: `${y}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}` });
    }
  }
  return out;
}

/** Every entry id with a name scoring at or above the hit threshold on its own, by brute force. */
function linearScan(entryTokens: { id: number; names: string[][]; folded: string[][] }[], query: string): Set<number> {
  const q = nameTokens(query);
  const qf = q.map(foldSpelling);
  const found = new Set<number>();
  for (const e of entryTokens) {
    for (let i = 0; i < e.names.length; i++) {
      if (tokenSetSimilarity(q, e.names[i]!, qf, e.folded[i]) >= thresholds.screening.hitThreshold) {
        found.add(e.id);
        break;
      }
    }
  }
  return found;
}

async function benchSize(size: number, baselineSample: number): Promise<BenchRow[]> {
  const listPools = makePools();
  const entries = makeEntries(size, listPools);
  let t = nowMs();
  const builder = new ScreeningIndexBuilder([{ name: 'synthetic', version: 'bench', imported_at: '', entries: size }]);
  for (const e of entries) builder.add(e);
  const index: ScreeningIndex = builder.build();
  const buildMs = nowMs() - t;
  const label = size >= 1e6 ? `${size / 1e6}M` : `${size / 1e3}k`;

  // Half the queries are listed people as an ID document may spell them, half are people whose name tokens
  // appear nowhere on the list (pools built from the same syllables, list words removed).
  const queries = makeQueries(entries, 400, size, makePools(99, listPools));
  for (const q of queries.slice(0, 20)) screenPerson(index, q); // warm-up (JIT)
  const times: number[] = [];
  let targetsHit = 0;
  let targets = 0;
  let randomWithHit = 0;
  for (const q of queries) {
    t = nowMs();
    const res = screenPerson(index, q);
    times.push(nowMs() - t);
    if (q.target !== undefined) {
      targets++;
      if (res.hits.some((h) => h.entry_id === q.target)) targetsHit++;
    } else if (res.hits.length) randomWithHit++;
  }

  // Baseline on a sample: same queries, every name scored.
  // Tokens and folded spellings precomputed, as the index has them: the baseline pays only for scoring.
  const entryTokens = entries.map((e) => {
    const names = e.normalizedNames.map((n) => n.split(' '));
    return { id: e.id, names, folded: names.map((n) => n.map(foldSpelling)) };
  });
  const baseTimes: number[] = [];
  let linearFound = 0;
  let indexFound = 0;
  for (const q of queries.slice(0, baselineSample)) {
    t = nowMs();
    const expected = linearScan(entryTokens, q.fullName);
    baseTimes.push(nowMs() - t);
    const got = new Set(index.searchNames([nameTokens(q.fullName)]).map((c) => c.entry.id));
    linearFound += expected.size;
    for (const id of expected) if (got.has(id)) indexFound++;
  }

  const p50 = quantile(times, 0.5);
  const base50 = quantile(baseTimes, 0.5);
  return [
    { name: `screening: index build, ${label} entries`, value: ms(buildMs), note: `${index.nameCount} names` },
    {
      name: `screening: screenPerson p50, ${label} entries`,
      value: ms(p50),
      baseline: ms(base50),
      ratio: `${(base50 / p50).toFixed(0)}×`,
      note: `${queries.length} queries; baseline = linear JW scan, p50 of ${baseTimes.length} queries`,
    },
    { name: `screening: screenPerson p95, ${label} entries`, value: ms(quantile(times, 0.95)), baseline: ms(quantile(baseTimes, 0.95)) },
    {
      name: `screening: blocking recall vs linear scan, ${label}`,
      value: linearFound ? `${((100 * indexFound) / linearFound).toFixed(1)}%` : 'n/a',
      note: `${indexFound}/${linearFound} entries the linear scan scores ≥ ${thresholds.screening.hitThreshold} on the name alone`,
    },
    {
      name: `screening: perturbed listed names found at threshold, ${label}`,
      value: `${((100 * targetsHit) / targets).toFixed(1)}%`,
      note: `${targetsHit}/${targets}; typo, transliteration swap, dropped middle name or reordered tokens, with the entry's birth date when it has one`,
    },
    {
      name: `screening: unrelated names with any hit, ${label}`,
      value: `${((100 * randomWithHit) / (queries.length - targets)).toFixed(1)}%`,
      note: `${randomWithHit}/${queries.length - targets}; no name token in common with the list, random birth dates`,
    },
  ];
}

export async function run(opts: { sizes?: number[] } = {}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const size of opts.sizes ?? [100_000, 1_000_000]) {
    rows.push(...(await benchSize(size, size >= 1e6 ? 3 : 20)));
  }
  return rows;
}
