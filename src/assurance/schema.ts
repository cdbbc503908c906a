// zod schemas for the assurance API: the status lookup's path and its answer.
import { z } from 'zod';
import { livemodeField } from '../http/contract.js';
import { KYC_STATUSES, KYC_TIERS } from './model.js';
import { VERIFICATION_METHODS } from './provenance.js';

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
    verification_method: z
      .enum(VERIFICATION_METHODS)
      .nullable()
      .describe("How the verified assurance was reached: `auto` (the engine's checks) or `human` (the operator's reviewer); null when not verified or verified before provenance was recorded."),
    human_verified: z.boolean().describe('True when a reviewer of the operator approved it (verification_method `human`).'),
    screened_at: timestamp.describe('When the sanctions/PEP screening behind the approval ran; null when none ran.'),
    livemode: livemodeField,
  })
  .meta({ id: 'KycStatus' });
