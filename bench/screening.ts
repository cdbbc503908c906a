// Screening speed and quality on synthetic lists of 100k and 1M people. Baseline: a naive linear scan that
// scores the query against every listed name (no index), measured on a sample of the same queries in the same
// run. The scan scores each name twice: by the index's own rule (a word pair counts only when the words share a
// blocking key, docs/screening.md), which tells whether the index's candidate filter loses anything, and by
// plain Jaro-Winkler, which shows what that rule keeps out. Also hit rates at the configured threshold.
import { ScreeningIndexBuilder, type ScreeningIndex } from '../src/screening/matcher.js';
import { screenPerson } from '../src/screening/service.js';
import { blockingKeys } from '../src/screening/phonetic.js';
import { foldSpelling, joinedSimilarity, nameTokens, pairedScore, tokenSetSimilarity, tokenSimilarity } from '../src/text/names.js';
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

interface RefName {
  toks: string[];
  folded: string[];
  keys: string[][];
  lens: number[];
}

const keyCache = new Map<string, string[]>();
function refName(toks: string[]): RefName {
  const keys = toks.map((t) => keyCache.get(t) ?? keyCache.set(t, blockingKeys(t)).get(t)!);
  return { toks, folded: toks.map(foldSpelling), keys, lens: toks.map((t) => t.length) };
}

/** The index's definition by brute force: words of 3+ letters are compared only when they share a blocking key. */
function keyedSimilarity(q: RefName, n: RefName): number {
  const s = pairedScore(q.lens, n.lens, (i, j) => {
    if (q.lens[i]! > 2 && n.lens[j]! > 2 && !q.keys[i]!.some((k) => n.keys[j]!.includes(k))) return 0;
    return tokenSimilarity(q.toks[i]!, n.toks[j]!, q.folded[i], n.folded[j]);
  });
  return Math.max(s, joinedSimilarity(q.toks, n.toks));
}

/** Entry ids with a name scoring at or above the hit threshold on its own, by brute force under one rule. */
function linearScan(entryNames: { id: number; names: RefName[] }[], query: string, rule: 'keyed' | 'plain'): Set<number> {
  const q = refName(nameTokens(query));
  const min = thresholds.screening.hitThreshold;
  const score = rule === 'keyed' ? (n: RefName) => keyedSimilarity(q, n) : (n: RefName) => tokenSetSimilarity(q.toks, n.toks, q.folded, n.folded);
  const found = new Set<number>();
  for (const e of entryNames) if (e.names.some((n) => score(n) >= min)) found.add(e.id);
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
  // Tokens, folded spellings and keys precomputed, as the index has them: the baseline pays only for scoring.
  const entryNames = entries.map((e) => ({ id: e.id, names: e.normalizedNames.map((n) => refName(n.split(' '))) }));
  const baseTimes: number[] = [];
  let keyedFound = 0;
  let indexFound = 0;
  let plainFound = 0;
  let keptOut = 0;
  const keptOutSamples: string[] = [];
  for (const q of queries.slice(0, baselineSample)) {
    t = nowMs();
    const keyed = linearScan(entryNames, q.fullName, 'keyed');
    baseTimes.push(nowMs() - t);
    const plain = linearScan(entryNames, q.fullName, 'plain'); // untimed: only to show what the rule keeps out
    const got = new Set(index.searchNames([nameTokens(q.fullName)]).map((c) => c.entry.id));
    keyedFound += keyed.size;
    for (const id of keyed) if (got.has(id)) indexFound++;
    plainFound += plain.size;
    for (const id of plain) {
      if (keyed.has(id)) continue;
      keptOut++;
      if (keptOutSamples.length < 2) keptOutSamples.push(`${q.fullName} / ${entries.find((e) => e.id === id)!.normalizedNames.join(', ')}`);
    }
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
      note: `${queries.length} queries; baseline = linear scan of every name with the same scorer, p50 of ${baseTimes.length} queries`,
    },
    { name: `screening: screenPerson p95, ${label} entries`, value: ms(quantile(times, 0.95)), baseline: ms(quantile(baseTimes, 0.95)) },
    {
      name: `screening: blocking recall vs brute force, ${label}`,
      value: keyedFound ? `${((100 * indexFound) / keyedFound).toFixed(1)}%` : 'n/a',
      note: `${indexFound}/${keyedFound} entries a linear scan under the same rule (word pairs count when they share a blocking key) scores ≥ ${thresholds.screening.hitThreshold} on the name alone, over ${baseTimes.length} queries`,
    },
    {
      name: `screening: plain-JW name matches the blocking-key rule keeps out, ${label}`,
      value: plainFound ? `${((100 * keptOut) / plainFound).toFixed(1)}%` : 'n/a',
      note: `${keptOut}/${plainFound} entries plain Jaro-Winkler (no key rule) scores ≥ ${thresholds.screening.hitThreshold} but the rule does not${keptOutSamples.length ? `, e.g. ${keptOutSamples.join('; ')}` : ''}`,
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
    rows.push(...(await benchSize(size, size >= 1e6 ? 10 : 20)));
  }
  return rows;
}
