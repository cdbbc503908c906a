// Staff roles (issue 12 §2). A staff member is a KYCPort person account holding roles: the operator's roles have
// no tenant, a tenant team's roles name their tenant. Every console route checks them on the server (routes.ts).
import { z } from 'zod';

export const OPERATOR_ROLES = ['admin', 'reviewer', 'auditor'] as const;
export const TENANT_ROLES = ['owner', 'developer', 'viewer'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];
export type TenantRole = (typeof TENANT_ROLES)[number];
export type Role = OperatorRole | TenantRole;

export const roleSchema = z.enum([...OPERATOR_ROLES, ...TENANT_ROLES]);

export const isOperatorRole = (r: Role): r is OperatorRole => (OPERATOR_ROLES as readonly string[]).includes(r);

/** One grant: an operator role (tenantId null) or a tenant role in one tenant. */
export interface RoleGrant {
  role: Role;
  tenantId: string | null;
}

/** Roles whose holders see personal data or decide: their console sign-in must have used a second factor. */
export const MFA_ROLES: readonly Role[] = ['admin', 'reviewer'];

/** Who may work the review queue: reviewers, and admins (who manage reviewers and may stand in). */
export const REVIEW_ROLES: readonly OperatorRole[] = ['reviewer', 'admin'];

export const holds = (grants: readonly RoleGrant[], roles: readonly Role[]): boolean =>
  grants.some((g) => g.tenantId === null && roles.includes(g.role));

export const needsMfa = (grants: readonly RoleGrant[]): boolean => grants.some((g) => MFA_ROLES.includes(g.role));
