// The `error` codes the tenant API answers, each with what it means for the caller. Route contracts name the
// codes each status can carry (contract.ts `errors`); the OpenAPI document, /docs/api and the contract test read
// them from there. A code thrown but missing here cannot be declared, so the list stays the one place to look.
export const ERROR_CODES = {
  // Any route
  validation_failed: 'A path, query, header or body field is missing or invalid; `details` lists each problem.',
  unauthorized: 'No API key, or an unknown or revoked one (`Authorization: Bearer kp_…`).',
  insufficient_scope: 'The API key lacks the scope this route needs; `details` names the required and granted scopes.',
  rate_limited: 'Too many requests for this key; retry after `Retry-After` seconds.',
  service_unavailable: 'The database or session store is unreachable for a moment; retry after `Retry-After` seconds.',
  internal_error: 'A server bug; the answer holds no internals, the server log has the request id.',
  not_found: 'No such resource for this tenant (another tenant’s counts as none).',
  // JSON bodies
  invalid_json: 'The body is not valid JSON.',
  json_too_deep: 'The JSON body nests deeper than 32 levels.',
  bad_request: 'The body could not be read (aborted, or shorter or longer than its Content-Length).',
  payload_too_large: 'The body, a file or the number of files is over its limit.',
  unsupported_media_type: 'The Content-Type (or charset, encoding, or an image’s real format) is not one the route accepts.',
  // Verification cases and sessions
  precomputed_verdict_rejected: 'A field looks like a verdict or score; results are computed by the server only.',
  idempotency_key_reused: 'This Idempotency-Key was used before with a different body.',
  review_forbidden: 'Tenants cannot review cases; the operator’s reviewers decide cases in manual_review.',
  case_closed: 'The case is already decided or closed.',
  not_uploaded: 'Upload the document (and selfie) before deciding.',
  retake_required: 'A resubmission was requested: upload the new captures (the retake) before deciding again.',
  uploads_missing: 'The case has no stored document (not uploaded, or purged).',
  screening_required: 'The level needs a sanctions/PEP screening result before it can be approved.',
  document_already_verified: 'This document already backs another verified person.',
  case_changed: 'The case changed while it was being decided or uploaded to; read it again.',
  malformed_multipart: 'The multipart body could not be parsed.',
  unknown_field: 'The upload has a field this route does not take.',
  duplicate_field: 'A text field was sent more than once.',
  field_too_long: 'A text field is longer than 1024 bytes.',
  too_many_fields: 'The upload has more fields or parts than allowed.',
  aborted: 'The upload was aborted by the client.',
  request_timeout: 'The upload body arrived too slowly.',
  empty_file: 'An uploaded file is empty.',
  missing_file: 'A file the level needs is missing.',
  duplicate_file: 'A single-file field was sent more than once.',
  unexpected_file: 'Liveness frames were sent without liveness_mode=active.',
  active_liveness_required: 'The level needs active liveness (liveness_mode=active with frames).',
  challenge_required: 'Get a liveness challenge before sending active-liveness frames.',
  corrupt_image: 'An image could not be decoded.',
  image_too_large: 'An image is larger than the pixel limits.',
  image_aspect_ratio: 'An image is too narrow or too wide.',
  image_profile_too_large: 'A PNG carries too much compressed metadata.',
  image_too_complex: 'The engine could not analyse the images in time; send an ordinary photo or scan.',
  too_many_uploads: 'The tenant has too many uploads in flight; retry after `Retry-After` seconds.',
  upload_capacity: 'The server is receiving too many uploads; retry after `Retry-After` seconds.',
  engine_unavailable: 'The verification engine restarted; retry the request.',
  invalid_redirect_uri: 'redirect_uri is not registered for this tenant.',
  session_closed: 'The session is finished (completed, expired or canceled).',
  // Webhooks
  invalid_url: 'The endpoint URL is not an allowed public https URL.',
  limit_reached: 'The tenant already has the maximum number of webhook endpoints.',
  endpoint_disabled: 'The endpoint is disabled; enable it first.',
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_CODES;
