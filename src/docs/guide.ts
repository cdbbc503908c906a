// The developer guide as served: llms.txt (llmstxt.org layout: the notes, then lists of links), llms-full.txt
// (those notes followed by every Markdown document the lists link to, for an assistant that wants one file) and
// each linked document at /docs/<name>.md. Read once per public URL; `{issuer}` in a link's target becomes this
// server's public URL so the links resolve, while the notes keep `{issuer}` as the placeholder they define.
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths.js';

/** Served name → file in the package. The Docker image copies each of them. */
export const GUIDE_DOCS: Readonly<Record<string, string>> = {
  'readme.md': 'README.md',
  'outages.md': 'docs/outages.md',
  'screening.md': 'docs/screening.md',
  'document-checks.md': 'docs/document-checks.md',
  'face-checks.md': 'docs/face-checks.md',
  'hosted-client.md': 'docs/hosted-client.md',
};

export interface Guide {
  llms: string;
  full: string;
  docs: ReadonlyMap<string, string>;
}

const read = (file: string) => fs.readFileSync(path.join(packageRoot, file), 'utf8');
const guides = new Map<string, Guide>();

export function guide(publicUrl: string): Guide {
  let g = guides.get(publicUrl);
  if (!g) {
    const llms = read('llms.txt').replaceAll('](' + '{issuer}', `](${publicUrl}`);
    const docs = new Map(Object.entries(GUIDE_DOCS).map(([name, file]) => [name, read(file)]));
    const full = [llms, ...[...docs].map(([name, text]) => `<!-- ${publicUrl}/docs/${name} -->\n\n${text}`)].join('\n\n---\n\n');
    g = { llms, full, docs };
    guides.set(publicUrl, g);
  }
  return g;
}
