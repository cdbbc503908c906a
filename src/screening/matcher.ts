// The in-memory screening index. Names are stored as interned token ids in flat typed arrays (a million list
// names fit in a few hundred MB); blocking keys (phonetic skeleton, 3-letter prefix) map to distinct tokens, and
// each token to the names containing it. A query scores only names where enough of its tokens found a similar
// token through those keys, then Jaro-Winkler decides.
import { foldSpelling, joinedSimilarity, pairedScore, TOKEN_MATCH_FLOOR, tokenSimilarity } from '../text/names.js';
import { screeningThresholds } from './thresholds.js';
import { blockingKeys } from './phonetic.js';

/** What the index keeps per list entry (names already normalised: uppercase A–Z tokens). */
export interface IndexEntry {
  id: number;
  list: string;
  sourceId: string;
  names: readonly string[];
  normalizedNames: readonly string[];
  birthDates: readonly string[];
  nationalities: readonly string[];
  topics: readonly string[];
}

export interface NameCandidate {
  entry: IndexEntry;
  /** Index into entry.names of the best-matching name. */
  nameIndex: number;
  nameScore: number;
}

/** A list as screening results report it. */
export interface ListSummary {
  name: string;
  /** First 12 hex digits of the imported file's sha256. */
  version: string;
  imported_at: string;
  entries: number;
}

export class ScreeningIndexBuilder {
  constructor(private readonly lists: readonly ListSummary[]) {}

  private entries: IndexEntry[] = [];
  private nameEntry: number[] = [];
  private nameOfEntry: number[] = [];
  private tokStart: number[] = [0];
  private tokIds: number[] = [];
  private tokenIds = new Map<string, number>();
  private tokens: string[] = [];
  private postings: number[][] = [];

  add(entry: IndexEntry): void {
    const e = this.entries.length;
    this.entries.push(entry);
    entry.normalizedNames.forEach((normalized, nameIdx) => {
      const toks = normalized ? normalized.split(' ') : [];
      if (!toks.length) return;
      const n = this.nameEntry.length;
      this.nameEntry.push(e);
      this.nameOfEntry.push(nameIdx);
      for (const tok of toks) {
        let id = this.tokenIds.get(tok);
        if (id === undefined) {
          id = this.tokens.length;
          this.tokenIds.set(tok, id);
          this.tokens.push(tok);
          this.postings.push([]);
        }
        this.tokIds.push(id);
        const p = this.postings[id]!;
        if (p[p.length - 1] !== n) p.push(n); // a token twice in one name is posted once
      }
      this.tokStart.push(this.tokIds.length);
    });
  }

  build(): ScreeningIndex {
    const keyTokens = new Map<string, number[]>();
    this.tokens.forEach((tok, id) => {
      for (const k of blockingKeys(tok)) {
        const list = keyTokens.get(k);
        if (list) list.push(id);
        else keyTokens.set(k, [id]);
      }
    });
    const keyed = new Uint8Array(this.nameEntry.length);
    for (let n = 0; n < keyed.length; n++) {
      let c = 0;
      for (let i = this.tokStart[n]!; i < this.tokStart[n + 1]!; i++) if (this.tokens[this.tokIds[i]!]!.length > 2) c++;
      keyed[n] = Math.min(c, 255);
    }
    return new ScreeningIndex({
      lists: this.lists,
      entries: this.entries,
      nameEntry: Int32Array.from(this.nameEntry),
      nameOfEntry: Int32Array.from(this.nameOfEntry),
      tokStart: Int32Array.from(this.tokStart),
      tokIds: Int32Array.from(this.tokIds),
      keyedTokens: keyed,
      tokens: this.tokens,
      folded: this.tokens.map(foldSpelling),
      postings: this.postings.map((p) => Int32Array.from(p)),
      keyTokens: new Map([...keyTokens].map(([k, v]) => [k, Int32Array.from(v)])),
    });
  }
}

interface IndexData {
  lists: readonly ListSummary[];
  entries: IndexEntry[];
  nameEntry: Int32Array;
  nameOfEntry: Int32Array;
  tokStart: Int32Array;
  tokIds: Int32Array;
  keyedTokens: Uint8Array;
  tokens: string[];
  /** foldSpelling of each token, computed once. */
  folded: string[];
  postings: Int32Array[];
  keyTokens: Map<string, Int32Array>;
}

const MAX_QUERY_TOKENS = 8; // one bit per query token in the hit mask

export class ScreeningIndex {
  private readonly mask: Uint8Array;
  private readonly seen: Uint32Array;
  private stamp = 0;

  constructor(private readonly d: IndexData) {
    this.mask = new Uint8Array(d.nameEntry.length);
    this.seen = new Uint32Array(d.tokens.length);
  }

  /** The lists this index was built from (empty = screening cannot be performed). */
  get lists(): readonly ListSummary[] {
    return this.d.lists;
  }

  get entryCount(): number {
    return this.d.entries.length;
  }

  get nameCount(): number {
    return this.d.nameEntry.length;
  }

  /**
   * Entries with a name scoring at least `minNameScore` against any of the query token lists (spelling variants
   * of one person's name), best name per entry. Token similarities come from the blocking step, so a token pair
   * that shares no blocking key counts as different words (0), exactly as the candidate filter treats it.
   * Synchronous: the shared hit mask is reset before returning.
   */
  searchNames(queries: readonly (readonly string[])[], minNameScore = screeningThresholds.minNameScore): NameCandidate[] {
    const { tokStart, tokIds, tokens, folded } = this.d;
    const best = new Map<number, NameCandidate>();
    for (const q of queries) {
      const qFolded = q.map(foldSpelling);
      const qLens = q.map((t) => t.length);
      const sims = q.map(() => new Map<number, number>());
      for (const n of this.candidates(q, qFolded, sims)) {
        const start = tokStart[n]!;
        const lens: number[] = [];
        for (let i = start; i < tokStart[n + 1]!; i++) lens.push(tokens[tokIds[i]!]!.length);
        let s = pairedScore(qLens, lens, (i, j) => {
          const id = tokIds[start + j]!;
          // Tokens of one or two letters have no blocking keys: compare them directly (initials, AL, DE).
          if (qLens[i]! <= 2 || lens[j]! <= 2) return tokenSimilarity(q[i]!, tokens[id]!, qFolded[i], folded[id]);
          return sims[i]!.get(id) ?? 0;
        });
        if (lens.length !== q.length && s < 1) s = Math.max(s, joinedSimilarity(q, this.nameTokens(n)));
        if (s < minNameScore) continue;
        const e = this.d.nameEntry[n]!;
        const prev = best.get(e);
        if (!prev || s > prev.nameScore) {
          best.set(e, { entry: this.d.entries[e]!, nameIndex: this.d.nameOfEntry[n]!, nameScore: s });
        }
      }
    }
    return [...best.values()].sort((a, b) => b.nameScore - a.nameScore);
  }

  private nameTokens(n: number): string[] {
    const toks: string[] = [];
    for (let i = this.d.tokStart[n]!; i < this.d.tokStart[n + 1]!; i++) toks.push(this.d.tokens[this.d.tokIds[i]!]!);
    return toks;
  }

  /**
   * Names where at least min(2, keyed query tokens, keyed name tokens) distinct query tokens found a token at or
   * above TOKEN_MATCH_FLOOR through a shared blocking key. Records each such similarity in `sims` (per query
   * position) for scoring. Below the floor a token pair adds nothing to the name score, so names with fewer
   * matching tokens could not reach minNameScore anyway.
   */
  private candidates(query: readonly string[], qFolded: readonly string[], sims: Map<number, number>[]): number[] {
    const qTokens = [...new Set(query)].filter((t) => t.length > 2).slice(0, MAX_QUERY_TOKENS);
    if (!qTokens.length) return [];
    const touched: number[] = [];
    qTokens.forEach((qt, qi) => {
      const bit = 1 << qi;
      const positions = query.flatMap((t, i) => (t === qt ? [i] : []));
      const qf = qFolded[positions[0]!]!;
      const stamp = ++this.stamp;
      for (const k of blockingKeys(qt)) {
        const ids = this.d.keyTokens.get(k);
        if (!ids) continue;
        for (const id of ids) {
          if (this.seen[id] === stamp) continue; // reached through an earlier key
          this.seen[id] = stamp;
          const sim = tokenSimilarity(qt, this.d.tokens[id]!, qf, this.d.folded[id]);
          if (sim < TOKEN_MATCH_FLOOR) continue;
          for (const p of positions) sims[p]!.set(id, sim);
          for (const n of this.d.postings[id]!) {
            if (this.mask[n] === 0) touched.push(n);
            this.mask[n]! |= bit;
          }
        }
      }
    });
    const out: number[] = [];
    const qNeed = Math.min(2, qTokens.length);
    for (const n of touched) {
      const need = Math.min(qNeed, this.d.keyedTokens[n]!);
      if (popcount(this.mask[n]!) >= need) out.push(n);
      this.mask[n] = 0;
    }
    return out;
  }
}

function popcount(x: number): number {
  let c = 0;
  while (x) {
    x &= x - 1;
    c++;
  }
  return c;
}
