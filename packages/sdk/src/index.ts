// @kycport/sdk: a thin typed client for the KYCPort tenant API, and Standard Webhooks verification.
// fetch + WebCrypto only (no Node-only API), so it runs in Node 20+, Deno, Bun and edge runtimes.
export { KycPort, type KycPortOptions, type CallOptions, type CreateOptions, type UploadParts } from './client.js';
export { KycPortError } from './errors.js';
export type { RetryOptions } from './http.js';
export type { FileInput } from './files.js';
export { verifyWebhook, WebhookVerificationError, type WebhookEvent, type HeadersLike, type VerifyOptions } from './webhooks.js';
export type * from './types.js';
export type { components, operations, paths } from './generated/api.js';
