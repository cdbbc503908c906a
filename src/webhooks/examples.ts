// Examples for the webhook endpoints API's documentation (/api/v1/openapi.json, /docs/api); test/http/openapi.test.ts
// checks them against each route's own schemas. `livemode` is added to every object response by the contract layer.
import type { Examples } from '../http/contract.js';

/** Object responses carry `livemode`, and so does each object of a list's `data`. */
const live = <T extends object>(o: T) => ({ ...o, livemode: true });
const endpoint = {
  id: 'we_01JD7S2K9D3F5H7J9L1N3P5R7T',
  url: 'https://app.example.com/webhooks/kycport',
  description: 'Production listener',
  events: ['verification.session.completed', 'person.assurance.changed'],
  enabled: true,
  disabled_reason: null,
  previous_secret_expires_at: null,
  created_at: '2026-12-01T09:00:00.000Z',
  updated_at: '2026-12-01T09:00:00.000Z',
};
const secret = 'whsec_8G6snLj9KySEuSdxVqjp/BSl6n220TCC4s4PPiP/wdU=';
const eventId = 'evt_01JD7T8W6Y4A2C0E8G6J4L2N0Q';

export const createEndpointExample: Examples = {
  request: { url: endpoint.url, events: endpoint.events, description: endpoint.description },
  responses: { 201: live({ ...endpoint, secret }) },
};
export const listEndpointsExample: Examples = { responses: { 200: { data: [live(endpoint)], livemode: true } } };
export const getEndpointExample: Examples = { responses: { 200: live(endpoint) } };
export const patchEndpointExample: Examples = { request: { enabled: false }, responses: { 200: live({ ...endpoint, enabled: false, updated_at: '2026-12-01T11:00:00.000Z' }) } };
export const rotateSecretExample: Examples = {
  request: { overlap_seconds: 86400 },
  responses: { 200: { id: endpoint.id, secret: 'whsec_80npmWrfm+vr30S423BxPcGbAfJYk9qaLJ8JpKsPqDc=', previous_secret_expires_at: '2026-12-02T11:00:00.000Z', livemode: true } },
};
export const testEventExample: Examples = { responses: { 202: { event_id: eventId, livemode: true } } };
export const deliveriesExample: Examples = {
  responses: {
    200: {
      data: [
        {
          id: '1042',
          kind: 'attempt',
          webhook_id: endpoint.id,
          event_id: eventId,
          attempt: 1,
          status_code: 200,
          latency_ms: 84,
          error: null,
          next_retry_at: null,
          created_at: '2026-12-01T11:05:00.000Z',
          livemode: true,
        },
      ],
      next_cursor: null,
      livemode: true,
    },
  },
};
export const redeliverExample: Examples = { request: { endpoint_id: endpoint.id }, responses: { 202: { event_id: eventId, webhook_ids: [endpoint.id], livemode: true } } };
