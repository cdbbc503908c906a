// The OpenID Foundation's verified_claims schemas (test/fixtures/ida, see its README for the source), compiled
// with Ajv 8 for draft 2020-12 with formats. `response` validates a claims object holding verified_claims (an ID
// token payload or a userinfo answer); `request` validates a claims parameter.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { jsonSchemaValidator } from './ajv.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ida');
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Record<string, unknown>;

// verified_claims.json names its siblings by their `raw` URLs; eKYC-IDA's files carry `src` ids (README).
const RAW = 'https://bitbucket.org/openid/ekyc-ida/raw/master/schema/';

export interface IdaSchemas {
  response: ValidateFunction;
  request: ValidateFunction;
}

export function idaSchemas(): IdaSchemas {
  const ajv = jsonSchemaValidator({ allErrors: true });
  const claims = load('claims_schema.json');
  const request = load('verified_claims_request.json');
  ajv.addSchema({ ...claims, $id: `${RAW}claims_schema.json` });
  ajv.addSchema({ ...request, $id: `${RAW}verified_claims_request.json` });
  return { response: ajv.compile(load('verified_claims.json')), request: ajv.compile(request) };
}

/** The validation errors as one readable string (for expect messages). */
export const schemaErrors = (v: ValidateFunction): string => JSON.stringify(v.errors ?? [], null, 1);
