// Examples for the sessions API's documentation (/api/v1/openapi.json, /docs/api); test/http/openapi.test.ts
// checks them against each route's own schemas. `livemode` is added to every object response by the contract layer.
import type { Examples } from '../../http/contract.js';

/** Object responses carry `livemode`; objects inside lists do not. */
const live = <T extends object>(o: T) => ({ ...o, livemode: true });
const created = {
  id: 'vs_01JD7R0YB4C6M2P8S1T3V5X7Z9',
  status: 'created',
  level: 't2',
  url: 'https://id.example.com/verify/s/vs_01JD7R0YB4C6M2P8S1T3V5X7Z9?t=Yk3Lq9v2',
  expires_at: '2026-12-02T10:00:00.000Z',
  external_user_id: 'user-4711',
  person_id: null,
  case_id: null,
  outcome: null,
  reasons: [],
  attempts: 0,
  metadata: { plan: 'pro' },
  redirect_uri: 'https://app.example.com/kyc/done',
  created_at: '2026-12-01T10:00:00.000Z',
  updated_at: '2026-12-01T10:00:00.000Z',
};
const verified = {
  ...created,
  status: 'verified',
  url: null,
  person_id: 'Q2x1cZk3Tn8w0aLh5VJq1A',
  case_id: 'vc_01JD7Q3M8R2WQZ4X6B9N5T0KCE',
  outcome: 'approved',
  attempts: 1,
  updated_at: '2026-12-01T10:06:12.000Z',
};

export const createSessionExample: Examples = {
  request: { level: 't2', external_user_id: 'user-4711', redirect_uri: 'https://app.example.com/kyc/done', metadata: { plan: 'pro' }, locale: 'en' },
  responses: { 201: live(created), 200: live(created) },
};
export const listSessionsExample: Examples = { responses: { 200: { data: [live(verified)], next_cursor: null, livemode: true } } };
export const getSessionExample: Examples = { responses: { 200: live(verified) } };
export const cancelSessionExample: Examples = { responses: { 200: live({ ...created, status: 'canceled', url: null, updated_at: '2026-12-01T10:03:00.000Z' }) } };
