// A Postman Collection (format v2.1.0) generated from the OpenAPI document, never written by hand: one folder per
// tag, one request per operation with its path variables, query parameters, headers and example body, and the
// collection's bearer auth reading `{{apiKey}}`. `{{baseUrl}}` starts as the server's public URL. Postman and
// Insomnia both import this format.

import type { OpenApiDocument, OpenApiMedia, OpenApiOperation } from './openapi-types.js';

export const POSTMAN_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

type Json = Record<string, unknown>;

type Media = OpenApiMedia;
type Operation = OpenApiOperation;
type Document = OpenApiDocument;

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content' };

const kv = (key: string, value: string, extra: Json = {}) => ({ key, value, ...extra });

/** A schema's property names, for a multipart body's form fields (files are `format: binary` or arrays of them). */
function formFields(doc: Document, media: Media): { key: string; file: boolean }[] {
  const ref = media.schema?.$ref?.split('/').pop();
  const schema = (ref ? doc.components.schemas[ref] : media.schema) as { properties?: Record<string, Json> } | undefined;
  const isFile = (p: Json): boolean => p.contentMediaType !== undefined || p.format === 'binary' || (p.type === 'array' && isFile((p.items ?? {}) as Json));
  return Object.entries(schema?.properties ?? {}).map(([key, p]) => ({ key, file: isFile(p) }));
}

function body(doc: Document, op: Operation): Json | undefined {
  const content = op.requestBody?.content ?? {};
  const json = content['application/json'];
  if (json) return { mode: 'raw', raw: JSON.stringify(json.example ?? {}, null, 2), options: { raw: { language: 'json' } } };
  const form = content['multipart/form-data'];
  if (!form) return undefined;
  const example = (form.example ?? {}) as Record<string, string | number | boolean>;
  return {
    mode: 'formdata',
    formdata: formFields(doc, form).map(({ key, file }) =>
      file ? { key, type: 'file', src: null } : { key, type: 'text', value: example[key] === undefined ? '' : String(example[key]), disabled: example[key] === undefined },
    ),
  };
}

function request(doc: Document, path: string, method: string, op: Operation): Json {
  const params = op.parameters ?? [];
  const segments = path.split('/').filter(Boolean).map((s) => s.replace(/^\{(\w+)\}$/, ':$1'));
  const query = params.filter((p) => p.in === 'query').map((p) => kv(p.name, '', { disabled: !p.required, ...(p.description ? { description: p.description } : {}) }));
  const variable = params.filter((p) => p.in === 'path').map((p) => kv(p.name, '', p.description ? { description: p.description } : {}));
  const headers = params.filter((p) => p.in === 'header').map((p) => kv(p.name, '', { disabled: !p.required, ...(p.description ? { description: p.description } : {}) }));
  if (op.requestBody?.content['application/json']) headers.unshift(kv('Content-Type', 'application/json'));
  const raw = `{{baseUrl}}/${segments.join('/')}${query.length ? `?${query.map((q) => `${q.key}=`).join('&')}` : ''}`;
  const b = body(doc, op);
  return {
    method: method.toUpperCase(),
    header: headers,
    url: { raw, host: ['{{baseUrl}}'], path: segments, ...(query.length ? { query } : {}), ...(variable.length ? { variable } : {}) },
    ...(b ? { body: b } : {}),
    ...(op.description ? { description: op.description } : {}),
    // Public operations (this document, the collection) send no key.
    ...(op.security.length ? {} : { auth: { type: 'noauth' } }),
  };
}

/** Saved example responses: each success status with its documented example body. */
function responses(op: Operation, original: Json): Json[] {
  return Object.entries(op.responses)
    .filter(([status]) => Number(status) < 300)
    .map(([status, r]) => {
      const example = r.content?.['application/json']?.example;
      const code = Number(status);
      return {
        name: `${status} ${STATUS_TEXT[code] ?? ''}`.trim(),
        originalRequest: original,
        status: STATUS_TEXT[code] ?? status,
        code,
        header: example === undefined ? [] : [kv('Content-Type', 'application/json')],
        body: example === undefined ? '' : JSON.stringify(example, null, 2),
      };
    });
}

/** The collection for `doc` (an OpenAPI document as openapi.ts builds it). */
export function postmanCollection(doc: Document): Json {
  const folders = new Map<string, Json[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const req = request(doc, path, method, op);
      const item = { name: op.summary, request: req, response: responses(op, req) };
      const tag = op.tags[0] ?? 'other';
      folders.set(tag, [...(folders.get(tag) ?? []), item]);
    }
  }
  return {
    info: { name: doc.info.title, description: doc.info.description ?? '', schema: POSTMAN_SCHEMA },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{apiKey}}', type: 'string' }] },
    variable: [
      { key: 'baseUrl', value: doc.servers[0]?.url ?? '', type: 'string', description: 'The KYCPort server (its public URL).' },
      { key: 'apiKey', value: '', type: 'string', description: 'A tenant API key (kp_…), from `kycport apikey create`.' },
    ],
    item: [...folders].map(([name, item]) => ({ name, item })),
  };
}
