// The contract test of the OpenAPI document (issue 14): every response a test receives from a KYCPort `/api/v1/`
// route through fetch is checked against the document that same server publishes. A status the document does not
// list for the operation, a JSON body its schema refuses, or an `error` code the status does not list
// (`x-error-codes`), fails the request with the reason, and so the test.
// Loaded for every test file (vitest setupFiles); a server that publishes no document (a fixture) is left alone.
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { jsonSchemaValidator } from './ajv.js';

interface Operation {
  responses: Record<string, { 'x-error-codes'?: string[]; content?: Record<string, { schema: { $ref?: string } }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
}
interface Checker {
  check(method: string, path: string, status: number, body: string | null): string | undefined;
}

const DOCUMENT = '/api/v1/openapi.json';
const original = globalThis.fetch;
const checkers = new Map<string, Promise<Checker | null>>();

function checkerFor(doc: Document): Checker {
  const ajv = jsonSchemaValidator();
  ajv.addSchema({ $id: 'doc', components: doc.components });
  const validators = new Map<string, ValidateFunction>();
  const validator = (ref: string) => {
    let v = validators.get(ref);
    if (!v) validators.set(ref, (v = ajv.getSchema(`doc${ref}`)!));
    return v;
  };
  const routes = Object.entries(doc.paths).map(([template, ops]) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
    ops,
  }));
  return {
    check(method, path, status, body) {
      const route = routes.find((r) => r.pattern.test(path));
      // An unknown path's 404 (and 405 for a known path's other method) come from the router, not an operation.
      if (!route) return status === 404 ? undefined : `${method.toUpperCase()} ${path} answered ${status} but the document has no such path`;
      const op = route.ops[method];
      if (!op) return status === 405 || (method === 'head' && route.ops.get) ? undefined : `${method.toUpperCase()} ${route.template} answered ${status} but the document has no such operation`;
      const response = op.responses[String(status)];
      if (!response) return `${method.toUpperCase()} ${route.template} answered ${status}, which the document does not list (${Object.keys(op.responses).join(', ')})`;
      const ref = response.content?.['application/json']?.schema.$ref;
      if (!ref) return body ? `${method.toUpperCase()} ${route.template} ${status} has a body; the document declares none` : undefined;
      if (body === null) return `${method.toUpperCase()} ${route.template} ${status} is not JSON; the document declares a JSON body`;
      const validate = validator(ref);
      const parsed = JSON.parse(body) as { error?: unknown };
      const codes = response['x-error-codes'];
      if (codes && !codes.includes(parsed.error as string)) return `${method.toUpperCase()} ${route.template} ${status} answered error ${JSON.stringify(parsed.error)}, which the document does not list (${codes.join(', ')})`;
      if (validate(parsed)) return undefined;
      const where = (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`).join('; ');
      return `${method.toUpperCase()} ${route.template} ${status} does not match ${ref}: ${where}`;
    },
  };
}

async function loadChecker(origin: string): Promise<Checker | null> {
  try {
    const res = await original(`${origin}${DOCUMENT}`);
    if (res.status !== 200) return null;
    return checkerFor((await res.json()) as Document);
  } catch {
    return null;
  }
}

globalThis.fetch = async function checkedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const res = await original(input, init);
  const url = new URL(input instanceof Request ? input.url : input);
  if (!url.pathname.startsWith('/api/v1/') || url.pathname === DOCUMENT) return res;
  let checker = checkers.get(url.origin);
  if (!checker) checkers.set(url.origin, (checker = loadChecker(url.origin)));
  const c = await checker;
  if (!c) return res;
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toLowerCase();
  const json = /\bjson\b/.test(res.headers.get('content-type') ?? '');
  const text = method === 'head' ? '' : await res.clone().text();
  const problem = c.check(method, url.pathname, res.status, text === '' ? null : json ? text : null);
  if (problem) throw new Error(`OpenAPI contract: ${problem}`);
  return res;
};
