// A small read-through cache for hot rows, invalidated by database NOTIFY (see invalidations.ts).
// A load that overlaps any invalidation is not cached: it may have read the row just before the change.
// Nothing is answered from or stored in the cache while the invalidations are not live (LISTEN down or not
// proven alive within the last second): a change committed meanwhile would go unheard.
import type { InvalidationKind, Invalidations } from './invalidations.js';

export class InvalidatingCache<V> {
  private readonly entries = new Map<string, { value: V; at: number; tag: string }>();
  private readonly byTag = new Map<string, Set<string>>();
  private generation = 0;

  constructor(
    private readonly invalidations: Invalidations,
    kinds: InvalidationKind | readonly InvalidationKind[],
    private readonly ttlMs: number,
    private readonly max = 50_000,
  ) {
    for (const kind of typeof kinds === 'string' ? [kinds] : kinds) invalidations.on(kind, (tag) => this.invalidate(tag));
  }

  /** A fresh cached value, synchronously (hot paths skip a promise per lookup). */
  peek(key: string): V | undefined {
    const hit = this.entries.get(key);
    return hit && Date.now() - hit.at < this.ttlMs && this.invalidations.live() ? hit.value : undefined;
  }

  async load(key: string, loader: () => Promise<{ value: V; tag: string } | undefined>): Promise<V | undefined> {
    const hit = this.peek(key);
    if (hit !== undefined) return hit;
    const generation = this.generation;
    const live = this.invalidations.live();
    const loaded = await loader();
    if (!loaded) return undefined;
    if (live && generation === this.generation && this.invalidations.live()) this.set(key, loaded.value, loaded.tag);
    return loaded.value;
  }

  /** Drops every entry tagged `tag`; with no tag, everything (changes may have been missed). */
  invalidate(tag: string | undefined): void {
    this.generation++;
    if (tag === undefined) {
      this.entries.clear();
      this.byTag.clear();
      return;
    }
    for (const key of this.byTag.get(tag) ?? []) this.entries.delete(key);
    this.byTag.delete(tag);
  }

  private set(key: string, value: V, tag: string): void {
    if (this.entries.size >= this.max) {
      this.entries.clear();
      this.byTag.clear();
    }
    this.entries.set(key, { value, at: Date.now(), tag });
    let keys = this.byTag.get(tag);
    if (!keys) this.byTag.set(tag, (keys = new Set()));
    keys.add(key);
  }
}
