// The MCP tools: each is data (name, scope, input and output schemas) plus a thin call into the same domain
// service the tenant API route calls, with the same presenter, so an assistant sees what the API would answer.
// Inputs reuse the route contracts' zod schemas; outputs reuse their response schemas where the tool answers the
// same thing. Cases are listed by outcome only: never the document extraction, images or personal fields.
import { z } from 'zod';
import type { AssuranceService } from '../assurance/service.js';
import { statusParams, statusResponse } from '../assurance/schema.js';
import { OUTCOMES, presentCase } from '../verification/cases/model.js';
import { caseResponse, listQuery as caseListQuery } from '../verification/cases/schemas.js';
import type { CaseService } from '../verification/cases/service.js';
import { presentSession } from '../verification/sessions/model.js';
import { createSessionBody, createSessionHeaders, sessionParams, sessionResponse } from '../verification/sessions/schemas.js';
import type { SessionService } from '../verification/sessions/service.js';
import { attemptListResponse, endpointParams, listQuery as attemptListQuery } from '../webhooks/schema.js';
import type { WebhookService } from '../webhooks/service.js';
import type { ApiScope } from '../http/scopes.js';


/** The services the tools call: the very ones compose.ts builds for the tenant API. */
export interface McpServices {
  assurance: AssuranceService;
  sessions: SessionService;
  cases: CaseService;
  webhooks: WebhookService;
}

export interface McpTool<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  /** The scope a key needs, the one of the API route the tool mirrors. */
  scope: ApiScope;
  readOnly: boolean;
  input: I;
  output: O;
  /** `caller`: the key's tenant and mode (a test key's tools see test data only). */
  run(services: McpServices, caller: McpTenant, input: z.output<I>): Promise<z.input<O>>;
  /** One short text rendering for clients that show text only (the structured content carries the rest). */
  text(result: z.output<O>): string;
}

export interface McpTenant {
  tenantId: string;
  livemode: boolean;
}

/** Types one tool's run and text against its own schemas; the list holds them as plain tools. */
const tool = <I extends z.ZodObject, O extends z.ZodObject>(t: McpTool<I, O>): McpTool => t;

/** A case as an assistant may see it: these fields of the API's case, its outcome and the reason codes. */
const CASE_FIELDS = { id: true, person_id: true, level: true, status: true, created_at: true, updated_at: true, decided_at: true } as const;
const caseOutcome = caseResponse.pick(CASE_FIELDS).extend({
  outcome: z.enum(OUTCOMES).nullable(),
  risk_level: z.enum(['low', 'medium', 'high']).nullable(),
  human_verified: z.boolean().nullable(),
  reasons: z.array(z.string()).describe('Reason codes of the decision.'),
});

/** From the API's presentation (presentCase), so the two never disagree; no document, checks or review text. */
function outcomeOf(view: Record<string, unknown>): z.input<typeof caseOutcome> {
  const v = view as z.output<typeof caseResponse>;
  const d = v.decision;
  const fields = Object.fromEntries(Object.keys(CASE_FIELDS).map((k) => [k, v[k as keyof typeof CASE_FIELDS]])) as Pick<typeof v, keyof typeof CASE_FIELDS>;
  return { ...fields, outcome: d?.outcome ?? null, risk_level: d?.risk_level ?? null, human_verified: d ? d.human_verified : null, reasons: d?.reasons.map((r) => r.code) ?? [] };
}

export const TOOLS: readonly McpTool[] = [
  tool({
    name: 'get_person_status',
    title: "A person's KYC status",
    description: "Read a person's reusable KYC status and tier (as GET /api/v1/kyc/{person_id}/status). person_id is your pairwise subject for the person (the `sub` your OIDC client received).",
    scope: 'status:read',
    readOnly: true,
    input: statusParams,
    output: statusResponse,
    // Exactly the route's fields (its schema's keys), whatever else the service's status carries.
    async run(s, { tenantId, livemode }, { person_id }) {
      const status: Record<string, unknown> = { ...(await s.assurance.statusForTenant(tenantId, person_id, livemode)), livemode };
      return Object.fromEntries(Object.keys(statusResponse.shape).map((k) => [k, status[k]])) as z.input<typeof statusResponse>;
    },
    text: (r) => `${r.person_id}: ${r.kyc_status}, tier ${r.kyc_tier}${r.aml_clear === null ? '' : `, AML ${r.aml_clear ? 'clear' : 'not clear'}`}${r.expires_at ? `, expires ${r.expires_at}` : ''}`,
  }),
  tool({
    name: 'create_verification_session',
    title: 'Create a hosted verification session',
    description: 'Send a person through hosted verification (as POST /api/v1/verification/sessions): returns the session with a single-use url to hand to the person. An open session for the same external_user_id and level is returned instead of a new one.',
    scope: 'sessions:write',
    readOnly: false,
    input: createSessionBody.extend({ idempotency_key: createSessionHeaders.shape['Idempotency-Key'] }),
    output: sessionResponse,
    async run(s, { tenantId, livemode }, i) {
      const r = await s.sessions.create({
        tenantId,
        livemode,
        level: i.level,
        externalUserId: i.external_user_id,
        personId: i.person_id,
        redirectUri: i.redirect_uri,
        metadata: i.metadata,
        locale: i.locale,
        idempotencyKey: i.idempotency_key,
      });
      return presentSession(r.row, r.url);
    },
    text: (r) => `Session ${r.id} (${r.level}): ${r.status}${r.url ? `; send the person to ${r.url}` : ''}`,
  }),
  tool({
    name: 'get_verification_session',
    title: 'Read a verification session',
    description: 'Read a hosted verification session (as GET /api/v1/verification/sessions/{id}); while the person can still act it carries a fresh single-use url.',
    scope: 'sessions:write',
    readOnly: true,
    input: sessionParams,
    output: sessionResponse,
    async run(s, { tenantId, livemode }, { id }) {
      const r = await s.sessions.get(tenantId, id, livemode);
      return presentSession(r.row, r.url);
    },
    text: (r) => `Session ${r.id} (${r.level}): ${r.status}${r.outcome ? `, outcome ${r.outcome}` : ''}${r.reasons.length ? ` (${r.reasons.join(', ')})` : ''}`,
  }),
  tool({
    name: 'list_verification_cases',
    title: 'List verification cases',
    description: "List your verification cases, newest first, with their status and outcome (reason codes only: no document data or images). Filter by status or person_id; pass next_cursor back as cursor for the next page.",
    scope: 'cases:write',
    readOnly: true,
    input: caseListQuery,
    output: z.strictObject({ data: z.array(caseOutcome), next_cursor: z.string().nullable() }),
    async run(s, { tenantId, livemode }, q) {
      const { rows, nextCursor } = await s.cases.list({ tenantId, status: q.status, personId: q.person_id, limit: q.limit, cursor: q.cursor, livemode });
      return { data: rows.map((r) => outcomeOf(presentCase(r))), next_cursor: nextCursor };
    },
    text: (r) => (r.data.length ? r.data.map((c) => `${c.id} ${c.level} ${c.status}${c.outcome ? ` ${c.outcome}` : ''}${c.reasons.length ? ` (${c.reasons.join(', ')})` : ''}`).join('\n') : 'No cases.'),
  }),
  tool({
    name: 'list_webhook_deliveries',
    title: 'List webhook delivery attempts',
    description: "A webhook endpoint's delivery attempt log, newest first (as GET /api/v1/webhooks/endpoints/{id}/deliveries): status codes, latency, errors, next retry.",
    scope: 'webhooks:manage',
    readOnly: true,
    input: z.strictObject({ endpoint_id: endpointParams.shape.id, ...attemptListQuery.shape }),
    output: attemptListResponse,
    run: (s, tenant, q) => s.webhooks.listAttempts(tenant, q.endpoint_id, { limit: q.limit, before: q.cursor }),
    text: (r) => (r.data.length ? r.data.map((a) => `${a.created_at} ${a.kind} ${a.event_id ?? ''} → ${a.status_code ?? a.error ?? 'pending'}`).join('\n') : 'No delivery attempts.'),
  }),
];
