// Test mode's sample images (public/samples/, made by `npm run samples`): served at /samples/{file} and listed with
// the outcome each gives a test-mode case at /docs/samples. Read once at start; only the manifest's files are served.
import fs from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import { z } from 'zod';
import { packageRoot } from '../paths.js';
import { html, page } from '../http/html.js';
import { serveFiles, type MemoryFile } from '../http/static.js';

const manifestSchema = z.object({
  source: z.string(),
  samples: z.array(
    z.object({
      name: z.string(),
      title: z.string(),
      description: z.string(),
      level: z.enum(['t1', 't2']),
      files: z.object({ document: z.string(), document_back: z.string().optional(), selfie: z.string().optional() }),
      expected: z.object({ outcome: z.enum(['approved', 'rejected', 'manual_review', 'resubmission_requested']), reason: z.string().optional() }),
    }),
  ),
});
export type SampleManifest = z.infer<typeof manifestSchema>;

const DIR = path.join(packageRoot, 'public', 'samples');
const TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.png': 'image/png', '.json': 'application/json; charset=utf-8' };
const LABELS = { document: 'Document', document_back: 'Back side', selfie: 'Selfie' } as const;

type Loaded = { files: Map<string, MemoryFile>; manifest: SampleManifest; page: string };
let loaded: Loaded | null | undefined;

/** The manifest's files and the page, read once per process (null when the samples are not shipped). */
function load(): Loaded | null {
  if (loaded !== undefined) return loaded;
  const manifestFile = path.join(DIR, 'manifest.json');
  if (!fs.existsSync(manifestFile)) return (loaded = null);
  const raw = fs.readFileSync(manifestFile);
  const manifest = manifestSchema.parse(JSON.parse(raw.toString('utf8')));
  const files = new Map<string, MemoryFile>([['manifest.json', { body: raw, type: TYPES['.json']! }]]);
  for (const s of manifest.samples) {
    for (const name of Object.values(s.files)) files.set(name, { body: fs.readFileSync(path.join(DIR, path.basename(name))), type: TYPES[path.extname(name)] ?? 'application/octet-stream' });
  }
  return (loaded = { files, manifest, page: samplesPage(manifest) });
}

export function samplesRoutes(): Router {
  const router = new Router();
  const samples = load();
  if (!samples) return router;
  const { files, manifest, page: body } = samples;
  router.get('/samples/:name', serveFiles(files));
  // A sandbox session (`kycport sandbox create`) comes back here: say what came back, and that it is only a hint.
  const back = z.object({ session_id: z.string().regex(/^vs_[\w-]{1,64}$/), status: z.string().regex(/^[a-z_]{1,32}$/) });
  router.get('/docs/samples', (ctx) => {
    const returned = back.safeParse(ctx.query);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = returned.success ? samplesPage(manifest, returned.data) : body;
  });
  return router;
}

function samplesPage(m: SampleManifest, returned?: { session_id: string; status: string }): string {
  const rows = m.samples.map(
    (s) => html`<tr>
  <td><strong>${s.title}</strong><br>${s.description}</td>
  <td><code>${s.level}</code></td>
  <td><strong>${s.expected.outcome}</strong>${s.expected.reason ? html`<br><code>${s.expected.reason}</code>` : ''}</td>
  <td class="samples">${(Object.keys(LABELS) as (keyof typeof LABELS)[]).flatMap((k) => {
    const file = s.files[k];
    return file ? [html`<a href="/samples/${file}"><img src="/samples/${file}" alt="${LABELS[k]}: ${s.title}" width="120" height="${k === 'selfie' ? 124 : 84}" loading="lazy"></a>`] : [];
  })}</td>
</tr>`,
  );
  return page(
    'Test mode samples',
    html`${returned ? html`<p class="notice info" role="status">Session <code>${returned.session_id}</code> came back with status <strong>${returned.status}</strong>. That is a hint
for the browser only: your server reads the session with <code>GET /api/v1/verification/sessions/${returned.session_id}</code> (or its
webhook).</p>` : ''}<p>Upload these with a test key (<code>kp_test_…</code>) to a case or a test-mode hosted session at the level shown. The real
engine decides: test mode only accepts the ICAO specimen documents (issuing state <code>UTO</code>) and screens against a small
bundled sample sanctions list instead of the imported lists. Nothing here changes anyone's live status.</p>
<div class="table-wrap" tabindex="0"><table class="data">
<caption>Samples and the outcome they give in test mode</caption>
<thead><tr><th scope="col">Sample</th><th scope="col">Level</th><th scope="col">Expected outcome</th><th scope="col">Images</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
<p><small>${m.source} The list of files with their outcomes is also at <a href="/samples/manifest.json">/samples/manifest.json</a>.</small></p>`,
    { wide: true, subtitle: 'Sample documents and selfies for integration tests' },
  );
}
