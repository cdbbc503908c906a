// Examples for the status API's documentation (/api/v1/openapi.json, /docs/api); test/http/openapi.test.ts
// checks them against the route's own schemas. `livemode` is added to every object response by the contract layer.
import type { Examples } from '../http/contract.js';

export const statusExample: Examples = {
  responses: {
    200: {
      person_id: 'Q2x1cZk3Tn8w0aLh5VJq1A',
      kyc_status: 'verified',
      kyc_tier: 't2',
      aml_clear: true,
      verified_at: '2026-11-02T09:14:05.000Z',
      expires_at: '2027-11-02T09:14:05.000Z',
      verification_method: 'auto',
      human_verified: false,
      screened_at: '2026-11-02T09:14:03.000Z',
      livemode: true,
    },
  },
};
