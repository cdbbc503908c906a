// zod schemas for the webhook endpoints API: what a tenant sends and what it gets back.
import { z } from 'zod';
import { livemodeField } from '../http/contract.js';
import { ALL_EVENTS, EVENT_TYPES } from './catalog.js';

const id = (prefix: string) => z.string().max(100).regex(new RegExp(`^${prefix}_[\\w-]+$`), 'invalid id');
export const endpointParams = z.object({ id: id('we') });
export const eventParams = z.object({ event_id: id('evt') });
const eventName = z.enum([...EVENT_TYPES, ALL_EVENTS] as [string, ...string[]], { message: `must be one of: ${[...EVENT_TYPES, ALL_EVENTS].join(', ')}` });
const events = z.array(eventName).min(1).max(EVENT_TYPES.length + 1);
const url = z.string().max(2048);
const description = z.string().max(500).nullable();

export const createBody = z.strictObject({ url, events, description: description.optional() });
export const patchBody = z
  .strictObject({ url: url.optional(), events: events.optional(), enabled: z.boolean().optional(), description: description.optional() })
  .refine((b) => Object.keys(b).length > 0, 'nothing to update');
export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.coerce.number().int().min(1).optional(),
});
export const redeliverBody = z.strictObject({ endpoint_id: id('we').optional() });
export const rotateBody = z.strictObject({
  overlap_seconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(86_400)
    .describe('How long the previous secret keeps signing (second signature). 0 expires it at once, e.g. after a leak.'),
});

const timestamp = z.iso.datetime();

const endpointFields = {
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable(),
  previous_secret_expires_at: timestamp.nullable().describe('Until then the previous secret still signs (rotation overlap).'),
  created_at: timestamp,
  updated_at: timestamp,
  livemode: livemodeField,
};
export const endpointResponse = z.strictObject(endpointFields).meta({ id: 'WebhookEndpoint' });
/** Creation is the one time the signing secret is shown. */
export const createdEndpointResponse = z.strictObject({ ...endpointFields, secret: z.string() }).meta({ id: 'WebhookEndpointCreated' });
export const endpointListResponse = z.strictObject({ data: z.array(endpointResponse) });
export const rotatedSecretResponse = z.strictObject({
  id: z.string(),
  secret: z.string(),
  previous_secret_expires_at: timestamp.nullable().describe('Null when the rotation had no overlap (overlap_seconds 0).'),
});
export const testEventResponse = z.strictObject({ event_id: z.string() });
export const attemptListResponse = z.strictObject({
  data: z.array(
    z.strictObject({
      id: z.string(),
      kind: z.string(),
      webhook_id: z.string().nullable(),
      event_id: z.string().nullable(),
      attempt: z.number().int().nullable(),
      status_code: z.number().int().nullable(),
      latency_ms: z.number().nullable(),
      error: z.string().nullable(),
      next_retry_at: timestamp.nullable(),
      created_at: timestamp,
      livemode: livemodeField,
    }),
  ),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page; null on the last page.'),
});
export const redeliverResponse = z.strictObject({ event_id: z.string(), webhook_ids: z.array(z.string()) });
