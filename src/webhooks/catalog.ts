// The event types tenants can subscribe to, and the envelope every delivery carries.
export const EVENT_TYPES = [
  'verification.case.created',
  'verification.case.uploaded',
  'verification.case.decided',
  'verification.case.reviewed',
  'verification.case.resubmission_requested',
  'verification.session.created',
  'verification.session.started',
  'verification.session.submitted',
  'verification.session.resubmission_requested',
  'verification.session.completed',
  'verification.session.expired',
  'verification.session.canceled',
  'person.assurance.changed',
  'person.assurance.expired',
  'person.access.withdrawn',
  'person.deleted',
  'webhook.endpoint.disabled',
  'webhook.test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Subscribing to '*' means every type, including ones added later. */
export const ALL_EVENTS = '*';

export function isEventType(t: string): t is EventType {
  return (EVENT_TYPES as readonly string[]).includes(t);
}

/** JSON body of every delivery (Standard Webhooks leaves the shape to us; `id` is the event id). */
export interface EventEnvelope {
  id: string;
  type: string;
  created_at: string;
  tenant_id: string;
  /** false: a test-mode event (a test key's data); only test endpoints receive it. */
  livemode: boolean;
  data: Record<string, unknown>;
}

export interface AssuranceState {
  status: string;
  tier: string;
}
