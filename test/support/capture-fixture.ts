// A stand-in for the hosted capture pages, built to CONTRACTS.md's markup (form[data-capture], the file input,
// the csrf field, data-challenge, #progress[data-poll], #kp-messages, one nonce'd module script, the page CSP),
// served with the real /assets/hosted/ route. The upload endpoint records exactly what the browser sent.
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import busboy from 'busboy';
import Koa from 'koa';
import Router from '@koa/router';
import { esc } from '../../src/http/html.js';
import { staticRoutes } from '../../src/http/static.js';
import { clientDe } from '../../src/hosted/messages/client.de.js';
import { clientEn } from '../../src/hosted/messages/client.en.js';

export interface ReceivedFile {
  field: string;
  filename: string;
  type: string;
  body: Buffer;
}

export interface CaptureFixture {
  url: string;
  /** Files of every POST /upload, in order. */
  uploads: { fields: Record<string, string>; files: ReceivedFile[] }[];
  /** How often state.json was asked. */
  polls: number;
  close(): Promise<void>;
}

const FIELD = { document: 'document', document_back: 'document_back', selfie: 'selfie', liveness: 'frames' } as const;
type Kind = keyof typeof FIELD;

function capturePage(kind: Kind, lang: 'en' | 'de', nonce: string, challenge: string): string {
  const messages = JSON.stringify(lang === 'de' ? clientDe : clientEn).replace(/</g, '\\u003c');
  const field = FIELD[kind];
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Capture · KYCPort</title>
<link rel="stylesheet" href="/static/styles.css">
<script type="module" src="/assets/hosted/verify.js" nonce="${nonce}"></script></head>
<body><main class="shell"><section class="card"><h1>Capture: ${kind}</h1>
<form method="post" action="/upload" enctype="multipart/form-data" data-capture="${kind}"${kind === 'liveness' ? ` data-challenge="${esc(challenge)}"` : ''} class="form">
<input type="hidden" name="csrf" value="fixture-csrf">
<label>Choose a photo<input type="file" name="${field}" accept="image/jpeg,image/png"${kind === 'liveness' ? ' multiple' : ''}></label>
<div class="actions"><button type="submit" class="primary">Continue</button></div>
</form></section></main>
<script type="application/json" id="kp-messages">${messages}</script></body></html>`;
}

function progressPage(nonce: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checking · KYCPort</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/static/styles.css">
<script type="module" src="/assets/hosted/verify.js" nonce="${nonce}"></script></head>
<body><main class="shell"><section class="card"><h1>Checking your documents</h1>
<div id="progress" aria-live="polite" data-poll="/state.json">We are checking your documents.</div>
</section></main><script type="application/json" id="kp-messages">${JSON.stringify(clientEn)}</script></body></html>`;
}

function readMultipart(ctx: Koa.Context): Promise<{ fields: Record<string, string>; files: ReceivedFile[] }> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: ReceivedFile[] = [];
    const bb = busboy({ headers: ctx.req.headers });
    bb.on('field', (name, value) => (fields[name] = value));
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => files.push({ field, filename: info.filename ?? '', type: info.mimeType, body: Buffer.concat(chunks) }));
    });
    bb.on('close', () => resolve({ fields, files: files.filter((f) => f.body.length > 0) }));
    bb.on('error', reject);
    ctx.req.pipe(bb);
  });
}

/** `/capture/:kind?lang=&challenge=`, `/progress` (done after `pollsUntilDone` polls), `/upload`, `/finished`. */
export async function startCaptureFixture(opts: { pollsUntilDone?: number } = {}): Promise<CaptureFixture> {
  const app = new Koa();
  const router = new Router();
  const fixture = { uploads: [], polls: 0 } as unknown as CaptureFixture;
  const csp = (nonce: string) =>
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;
  router.get('/capture/:kind', (ctx) => {
    const kind = ctx.params.kind as Kind;
    if (!(kind in FIELD)) return;
    const nonce = crypto.randomBytes(16).toString('base64');
    ctx.set('Content-Security-Policy', csp(nonce));
    ctx.type = 'html';
    ctx.body = capturePage(kind, ctx.query.lang === 'de' ? 'de' : 'en', nonce, String(ctx.query.challenge ?? '["turn_left","center","turn_right"]'));
  });
  router.get('/progress', (ctx) => {
    const nonce = crypto.randomBytes(16).toString('base64');
    ctx.set('Content-Security-Policy', csp(nonce));
    ctx.type = 'html';
    ctx.body = progressPage(nonce);
  });
  router.get('/state.json', (ctx) => {
    fixture.polls++;
    const done = fixture.polls >= (opts.pollsUntilDone ?? 3);
    ctx.body = { status: done ? 'verified' : 'processing', done, next: '/finished' };
  });
  router.post('/upload', async (ctx) => {
    const got = await readMultipart(ctx);
    fixture.uploads.push(got);
    ctx.type = 'html';
    ctx.body = `<!doctype html><html lang="en"><title>Received · KYCPort</title><main><h1>Received ${got.files.length} files</h1></main></html>`;
  });
  router.get('/finished', (ctx) => {
    ctx.type = 'html';
    ctx.body = '<!doctype html><html lang="en"><title>Result · KYCPort</title><main><h1>Result</h1></main></html>';
  });
  app.use(router.routes());
  app.use(staticRoutes().routes());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  fixture.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fixture.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fixture;
}
