// Request and response types read off the generated operations (generated/api.ts), by operationId, so that a
// change in the server's contracts reaches the client's signatures by regenerating, with nothing to edit here.
import type { operations } from './generated/api.js';

type Op = keyof operations;
type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON body of the operation's success answer (its lowest 2xx). */
export type Ok<O extends Op> = operations[O]['responses'] extends infer R
  ? 200 extends keyof R
    ? Json<R[200]>
    : 201 extends keyof R
      ? Json<R[201]>
      : 202 extends keyof R
        ? Json<R[202]>
        : undefined
  : never;

/** The JSON request body of the operation. */
export type Body<O extends Op> = operations[O] extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : operations[O] extends { requestBody?: { content: { 'application/json': infer B } } }
    ? B
    : never;

/** The operation's query parameters. */
export type Query<O extends Op> = NonNullable<operations[O]['parameters']['query']>;

export type KycStatus = Ok<'getKycPersonIdStatus'>;
export type VerificationSession = Ok<'getVerificationSessionsId'>;
export type VerificationSessionList = Ok<'getVerificationSessions'>;
export type CreateSessionBody = Body<'postVerificationSessions'>;
export type ListSessionsQuery = Query<'getVerificationSessions'>;
export type VerificationCase = Ok<'getVerificationCasesId'>;
export type VerificationCaseList = Ok<'getVerificationCases'>;
export type CreateCaseBody = Body<'postVerificationCases'>;
export type ListCasesQuery = Query<'getVerificationCases'>;
export type UploadResult = Ok<'postVerificationCasesIdUpload'>;
export type Decision = Ok<'postVerificationCasesIdDecide'>;
export type WebhookEndpoint = Ok<'getWebhooksEndpointsId'>;
export type WebhookEndpointCreated = Ok<'postWebhooksEndpoints'>;
export type WebhookEndpointList = Ok<'getWebhooksEndpoints'>;
export type CreateEndpointBody = Body<'postWebhooksEndpoints'>;
export type UpdateEndpointBody = Body<'patchWebhooksEndpointsId'>;
export type RotateSecretBody = Body<'postWebhooksEndpointsIdRotateSecret'>;
export type RotatedSecret = Ok<'postWebhooksEndpointsIdRotateSecret'>;
export type TestEvent = Ok<'postWebhooksEndpointsIdTest'>;
export type DeliveryList = Ok<'getWebhooksEndpointsIdDeliveries'>;
export type ListDeliveriesQuery = Query<'getWebhooksEndpointsIdDeliveries'>;
export type RedeliverBody = Body<'postWebhooksEventsEventIdRedeliver'>;
export type Redelivery = Ok<'postWebhooksEventsEventIdRedeliver'>;
/** The event names an endpoint can subscribe to. */
export type WebhookEventType = NonNullable<CreateEndpointBody['events']>[number];

/** The multipart upload's text fields, as the document declares them (the image parts are typed by the client). */
type UploadSchema = operations['postVerificationCasesIdUpload']['requestBody']['content']['multipart/form-data'];
export type FileField = 'document' | 'document_back' | 'selfie' | 'frames';
export type UploadFields = Partial<Omit<UploadSchema, FileField>>;
