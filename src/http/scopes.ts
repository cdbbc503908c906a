// What a tenant API key may do. Each tenant API route declares the one scope it needs in its route contract
// (contract.ts); the key's scopes ride in its cached state, so the check is an array lookup on a warm request.
// Lives in http/ because the contract registry (and the OpenAPI document built from it) names them.
import { z } from 'zod';

export const API_SCOPES = ['status:read', 'cases:write', 'sessions:write', 'webhooks:manage'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const apiScope = z.enum(API_SCOPES);

/** What each scope allows, for help texts and the API document. */
export const SCOPE_DESCRIPTIONS: Readonly<Record<ApiScope, string>> = {
  'status:read': "Read a person's verification status.",
  'cases:write': 'Open, upload to, read and decide verification cases.',
  'sessions:write': 'Create, read and cancel hosted verification sessions.',
  'webhooks:manage': 'Manage webhook endpoints, read deliveries and redeliver events.',
};

/** Scopes as stored in api_keys.scopes: space-separated, like an OAuth scope string. */
export const formatScopes = (scopes: readonly ApiScope[]): string => API_SCOPES.filter((s) => scopes.includes(s)).join(' ');

/** The stored string back to scopes; an unknown word is a stored-data error for the caller to raise. */
export function parseScopes(stored: string): ApiScope[] | undefined {
  const words = stored.split(' ').filter(Boolean);
  return words.every((w): w is ApiScope => (API_SCOPES as readonly string[]).includes(w)) ? words : undefined;
}
