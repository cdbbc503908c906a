// One JSON Schema 2020-12 validator setup for the tests (OpenAPI document, OIDF verified_claims schemas), and one
// draft-07 (the Postman collection schema): Ajv 8 with the standard formats (date-time, uri, …) checked rather
// than ignored with a warning.
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

// ajv-formats is CommonJS: its plugin is the module's `default` member under Node's ESM interop.
const addFormats = formats.default;

export function jsonSchemaValidator(opts: { allErrors?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: opts.allErrors ?? false });
  addFormats(ajv);
  return ajv;
}

/** The same for JSON Schema draft-07 (the Postman collection schema, test/fixtures/postman). */
export function draft07Validator(opts: { allErrors?: boolean } = {}): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: opts.allErrors ?? false });
  addFormats(ajv);
  return ajv;
}
