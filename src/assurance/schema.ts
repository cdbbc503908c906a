// zod schemas for the assurance API: the status lookup's path and its answer.
import { z } from 'zod';
import { KYC_STATUSES, KYC_TIERS } from './model.js';

export const statusParams = z.object({
  person_id: z.string().min(1).max(100).regex(/^[\w-]+$/, 'invalid person id').describe("The tenant's pairwise subject for the person."),
});

const timestamp = z.iso.datetime().nullable();

export const statusResponse = z
  .strictObject({
    person_id: z.string(),
    kyc_status: z.enum(KYC_STATUSES).describe('`expired` once a verified assurance is past expires_at.'),
    kyc_tier: z.enum(KYC_TIERS),
    aml_clear: z.boolean().nullable().describe('Sanctions/PEP screening result; null when never screened.'),
    verified_at: timestamp,
    expires_at: timestamp,
  })
  .meta({ id: 'KycStatus' });
