// GET /docs/api: the API reference, rendered on the server from the OpenAPI document (http/openapi.ts) into the project's
// page shell: no client script, no third-party renderer. Operations grouped by tag, each with its scope,
// parameters, request body, responses with their error codes, and examples; the schemas they name at the end.
import Router from '@koa/router';
import { Html, html, page } from '../http/html.js';
import type { ApiDocuments } from '../http/openapi.js';
import type { OpenApiDocument, OpenApiMedia, OpenApiOperation, OpenApiParameter, OpenApiSchema } from '../http/openapi-types.js';
import { OPENAPI_PATH, POSTMAN_PATH } from '../http/openapi.js';

export const API_DOCS_PATH = '/docs/api';

type Schema = OpenApiSchema;
type Parameter = OpenApiParameter;
type Media = OpenApiMedia;
type Operation = OpenApiOperation;
type Document = OpenApiDocument;

const COMPONENT = '#/components/schemas/';

/** The little Markdown the document's texts use: `code`, paragraphs and "- " lists. Everything else is escaped. */
function prose(text: string | undefined): Html {
  if (!text) return new Html('');
  const inline = (s: string) => html`${s}`.value.replace(/`([^`]+)`/g, '<code>$1</code>');
  const blocks = text.split(/\n\n+/).map((block) => {
    const lines = block.split('\n');
    if (lines.every((l) => l.startsWith('- '))) return `<ul>${lines.map((l) => `<li>${inline(l.slice(2))}</li>`).join('')}</ul>`;
    return `<p>${inline(block)}</p>`;
  });
  return new Html(blocks.join(''));
}

const schemaLink = (name: string) => html`<a href="#schema-${name}">${name}</a>`;

/** A schema's type in a few words: `string | null`, `VerificationCase[]`, `one of: t1, t2`. */
function typeOf(s: Schema | undefined): Html {
  if (!s) return html`any`;
  if (typeof s.$ref === 'string') return schemaLink(s.$ref.slice(COMPONENT.length));
  if (Array.isArray(s.enum)) return html`one of: ${(s.enum as unknown[]).map((v) => html`<code>${String(v)}</code> `)}`;
  if (s.const !== undefined) return html`<code>${JSON.stringify(s.const)}</code>`;
  const alternatives = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (alternatives) return join(alternatives.map(typeOf));
  const types = Array.isArray(s.type) ? (s.type as string[]) : s.type ? [s.type as string] : [];
  if (types.includes('array')) return html`${typeOf(s.items as Schema)}[]${types.includes('null') ? ' | null' : ''}`;
  if (s.format === 'binary') return html`file`;
  const words = types.map((t) => (t === 'string' && s.format ? `${t} (${String(s.format as string)})` : t === 'object' && s.additionalProperties ? 'object (map)' : t));
  return html`${words.join(' | ') || 'any'}`;
}

const join = (parts: Html[]) => new Html(parts.map((p) => p.value).join(' | '));

/** A name cell: the name, then its type (and where it goes, for parameters) and whether it is required. */
const nameCell = (name: string, type: Html, required: boolean, where?: string) =>
  html`<td><code>${name}</code><br><span class="muted">${where ? `${where} · ` : ''}${type}</span>${required ? html` <span class="req">required</span>` : ''}</td>`;

/** An object schema's fields as a two-column table (narrow enough for a phone); any other schema as its type. */
function fields(s: Schema, caption: string): Html {
  const props = s.properties as Record<string, Schema> | undefined;
  if (!props) return html`<p>${caption}: ${typeOf(s)}</p>`;
  if (!Object.keys(props).length) return html`<p class="muted">${caption}: none (an empty object).</p>`;
  const required = new Set((s.required ?? []) as string[]);
  return html`<table class="data api"><caption>${caption}</caption>
<thead><tr><th scope="col">Field</th><th scope="col">Description</th></tr></thead>
<tbody>${Object.entries(props).map(([name, p]) => html`<tr>${nameCell(name, typeOf(p), required.has(name))}<td>${prose(p.description as string | undefined)}</td></tr>`)}</tbody></table>`;
}

/** The schema a media type names: the component it points at (with a link), or the inline one. */
function mediaSchema(doc: Document, media: Media, caption: string): Html {
  const ref = media.schema.$ref;
  if (!ref) return fields(media.schema, caption);
  const name = ref.slice(COMPONENT.length);
  return html`<p>${caption}: ${schemaLink(name)}</p>${fields(doc.components.schemas[name] ?? {}, `${name} fields`)}`;
}

const example = (label: string, value: unknown) => html`<p class="muted">${label}</p><pre class="json"><code>${JSON.stringify(value, null, 2)}</code></pre>`;

function parameters(params: Parameter[]): Html {
  if (!params.length) return new Html('');
  return html`<h4>Parameters</h4><table class="data api"><caption>Path, query and header parameters</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Description</th></tr></thead>
<tbody>${params.map((p) => html`<tr>${nameCell(p.name, typeOf(p.schema), p.required, p.in)}<td>${prose(p.description)}</td></tr>`)}</tbody></table>`;
}

function requestBody(doc: Document, op: Operation): Html {
  const entries = Object.entries(op.requestBody?.content ?? {});
  if (!entries.length) return new Html('');
  return html`<h4>Request body</h4>${entries.map(
    ([type, media]) => html`<p>Content type <code>${type}</code></p>${mediaSchema(doc, media, 'Body')}${media.example !== undefined ? example('Example request body', media.example) : ''}`,
  )}`;
}

function responses(doc: Document, op: Operation): Html {
  return html`<h4>Responses</h4>${Object.entries(op.responses).map(([status, r]) => {
    const media = r.content?.['application/json'];
    const codes = r['x-error-codes'];
    // Error statuses share one shape (Error): their codes say more than the shape repeated per status.
    const body = !media ? '' : codes ? html`<p>Body: ${typeOf(media.schema)}</p>` : html`${mediaSchema(doc, media, 'Body')}${media.example !== undefined ? example(`Example ${status} response`, media.example) : ''}`;
    return html`<div class="status"><p><strong class="code">${status}</strong></p>${prose(r.description)}${body}</div>`;
  })}`;
}

function operation(doc: Document, path: string, method: string, op: Operation): Html {
  return html`<article class="item op" id="${op.operationId}">
<h3><span class="method">${method.toUpperCase()}</span> <code>${path}</code></h3>
<p><strong>${op.summary}</strong></p>
${prose(op.description)}
${op.security.length ? '' : html`<p class="muted">Public: no API key needed.</p>`}
${parameters(op.parameters ?? [])}${requestBody(doc, op)}${responses(doc, op)}
</article>`;
}

/** The page for `doc`; pure, so a test can render any document. */
export function renderApiDocs(doc: Document): string {
  const byTag = new Map<string, [string, string, Operation][]>();
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) byTag.set(op.tags[0] ?? 'other', [...(byTag.get(op.tags[0] ?? 'other') ?? []), [path, method, op]]);
  const tags = [...byTag];
  const body = html`${prose(doc.info.description)}
<ul class="doc-links">
<li><a href="${OPENAPI_PATH}">OpenAPI 3.1 document (JSON)</a></li>
<li><a href="${POSTMAN_PATH}">Postman collection (v2.1; imports in Postman and Insomnia)</a></li>
${doc.externalDocs ? html`<li><a href="${doc.externalDocs.url}">${doc.externalDocs.description ?? 'More'}</a>: sign-in with OpenID Connect is described there, not here.</li>` : ''}
</ul>
<h2 id="authentication">Authentication</h2>
${Object.values(doc.components.securitySchemes).map((s) => prose(s.description))}
<nav aria-labelledby="contents"><h2 id="contents">Operations</h2>
${tags.map(([tag, ops]) => html`<h3 class="toc">${tag}</h3><ul>${ops.map(([path, method, op]) => html`<li><a href="#${op.operationId}">${method.toUpperCase()} ${path}</a>: ${op.summary}</li>`)}</ul>`)}
</nav>
${tags.map(([tag, ops]) => html`<section aria-labelledby="tag-${tag}"><h2 id="tag-${tag}">${tag}</h2>${ops.map(([path, method, op]) => operation(doc, path, method, op))}</section>`)}
<section aria-labelledby="schemas"><h2 id="schemas">Schemas</h2>
${Object.entries(doc.components.schemas).map(([name, s]) => html`<article class="item" id="schema-${name}"><h3>${name}</h3>${prose(s.description as string | undefined)}${fields(s, `${name} fields`)}</article>`)}
</section>`;
  return page(`${doc.info.title} reference`, body, { wide: true, subtitle: `Version ${doc.info.version}` });
}

/** GET /docs/api, rendered once from the served document. */
export function apiDocsRoutes(documents: ApiDocuments): Router {
  const router = new Router();
  let body: string | undefined;
  router.get(API_DOCS_PATH, (ctx) => {
    body ??= renderApiDocs(documents.document() as OpenApiDocument);
    ctx.type = 'html';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = body;
  });
  return router;
}
