// What the hosted verification pages show of a tenant: a display name, an optional logo (PNG or JPEG, small,
// served from our own origin) and an optional accent colour. Set with `kycport tenant branding`.
import type { Queryable } from '../db/index.js';
import { BadRequestError, NotFoundError } from '../http/errors.js';
import { tenantStore } from './store.js';

export interface Branding {
  name: string;
  accentColor: string | null;
  hasLogo: boolean;
}

export const MAX_LOGO_BYTES = 100 * 1024;
const ACCENT = /^#[0-9a-f]{6}$/i;

function logoType(bytes: Buffer): string {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  throw new BadRequestError('invalid_logo', 'The logo must be a PNG or JPEG file.');
}

export async function setBranding(db: Queryable, tenantId: string, b: { displayName?: string; accentColor?: string; logo?: Buffer }) {
  if (!(await tenantStore.findTenant(db, tenantId))) throw new NotFoundError('Tenant');
  if (b.accentColor !== undefined && !ACCENT.test(b.accentColor)) throw new BadRequestError('invalid_accent_color', 'The accent colour is #rrggbb, e.g. #0a5cff.');
  if (b.logo && b.logo.length > MAX_LOGO_BYTES) throw new BadRequestError('invalid_logo', `The logo may be at most ${MAX_LOGO_BYTES / 1024} KB.`);
  const fields = {
    ...(b.displayName !== undefined ? { display_name: b.displayName.trim().slice(0, 100) || null } : {}),
    ...(b.accentColor !== undefined ? { accent_color: b.accentColor.toLowerCase() } : {}),
    ...(b.logo ? { logo: b.logo, logo_type: logoType(b.logo) } : {}),
  };
  if (Object.keys(fields).length) await db('tenants').where({ id: tenantId }).update(fields);
  return { tenant_id: tenantId, ...(await getBranding(db, tenantId)) };
}

export async function getBranding(db: Queryable, tenantId: string): Promise<Branding> {
  const row = await db('tenants')
    .where({ id: tenantId })
    .first<{ name: string; display_name: string | null; accent_color: string | null; has_logo: boolean } | undefined>(
      'name',
      'display_name',
      'accent_color',
      db.raw('logo is not null as has_logo'),
    );
  if (!row) throw new NotFoundError('Tenant');
  return { name: row.display_name ?? row.name, accentColor: row.accent_color, hasLogo: Boolean(row.has_logo) };
}

export async function getLogo(db: Queryable, tenantId: string): Promise<{ bytes: Buffer; type: string } | undefined> {
  const row = await db('tenants').where({ id: tenantId }).first<{ logo: Buffer | null; logo_type: string | null } | undefined>('logo', 'logo_type');
  return row?.logo && row.logo_type ? { bytes: Buffer.from(row.logo), type: row.logo_type } : undefined;
}
