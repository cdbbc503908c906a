// Reports import cycles between the top-level folders of src/ (files directly in src/ count as the folder "."
// and are ignored: they are the entry points and composition root, which may import every folder).
// Exits non-zero when there is any cycle. Run with `npm run check:cycles`.
import fs from 'node:fs';
import path from 'node:path';

const src = path.resolve(import.meta.dirname, '..', 'src');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? files(full) : /\.ts$/.test(e.name) ? [full] : [];
  });
}

const folderOf = (file: string) => {
  const rel = path.relative(src, file).split(path.sep);
  return rel.length > 1 ? rel[0]! : '.';
};

// folder → folder → one example import (for the report)
const edges = new Map<string, Map<string, string>>();
for (const file of files(src)) {
  const from = folderOf(file);
  if (from === '.') continue;
  const text = fs.readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    const to = folderOf(path.resolve(path.dirname(file), spec));
    if (to === from || to === '.') continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, `${path.relative(src, file)} → ${spec}`);
  }
}

// Strongly connected components (Tarjan): every component with more than one folder is a cycle.
let counter = 0;
const index = new Map<string, number>();
const low = new Map<string, number>();
const stack: string[] = [];
const onStack = new Set<string>();
const components: string[][] = [];
function visit(v: string): void {
  index.set(v, counter);
  low.set(v, counter++);
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v)!, low.get(w)!));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
  }
  if (low.get(v) === index.get(v)) {
    const comp: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1) components.push(comp.sort());
  }
}
for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);

for (const comp of components) {
  console.log(`cycle between: ${comp.join(', ')}`);
  for (const a of comp) for (const [b, example] of edges.get(a) ?? []) if (comp.includes(b)) console.log(`  ${a} → ${b}   e.g. ${example}`);
}
console.log(`${components.length} cycles between folders of src/`);
process.exit(components.length ? 1 : 0);
