// oidc-provider adapter on Postgres/PGlite (table oidc_payloads). Clients come from oidc_clients. Ids, uids, user
// codes and grant ids are stored as keyed hashes and payloads sealed (artifacts.ts).
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Queryable } from '../../db/index.js';
import type { Clock } from '../../clock.js';
import { ACCOUNT_INDEXED, type AccountArtifacts, type ArtifactCodec } from './artifacts.js';
import { ClientCatalog } from './clients.js';

export function postgresAdapterFactory(db: Queryable, clock: Clock, clients: ClientCatalog, codec: ArtifactCodec) {
  return class PostgresAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are managed by the CLI, not oidc-provider');
      const expiresAt = expiresIn ? new Date(clock.now().getTime() + expiresIn * 1000) : null;
      const ref = codec.ref(this.model, id);
      await db('oidc_payloads')
        .insert({
          type: this.model,
          id: ref,
          payload: codec.seal(this.model, ref, payload),
          grant_id: payload.grantId ? codec.index('grant', payload.grantId) : null,
          user_code: payload.userCode ? codec.index('user_code', payload.userCode) : null,
          uid: payload.uid ? codec.index('uid', payload.uid) : null,
          account_id: ACCOUNT_INDEXED.has(this.model) && typeof payload.accountId === 'string' ? payload.accountId : null,
          expires_at: expiresAt,
        })
        .onConflict(['type', 'id'])
        .merge(['payload', 'grant_id', 'user_code', 'uid', 'account_id', 'expires_at']);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clients.find(id);
      return this.findWhere({ id: codec.ref(this.model, id) });
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findWhere({ user_code: codec.index('user_code', userCode) });
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findWhere({ uid: codec.index('uid', uid) });
    }

    async consume(id: string): Promise<void> {
      await db('oidc_payloads').where({ type: this.model, id: codec.ref(this.model, id) }).update({ consumed_at: clock.now() });
    }

    async destroy(id: string): Promise<void> {
      await db('oidc_payloads').where({ type: this.model, id: codec.ref(this.model, id) }).delete();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db('oidc_payloads').where({ grant_id: codec.index('grant', grantId) }).delete();
    }

    private async findWhere(where: Record<string, string>): Promise<AdapterPayload | undefined> {
      const row: { id: string; payload: string; expires_at: Date | null; consumed_at: Date | null } | undefined = await db('oidc_payloads')
        .where({ type: this.model, ...where })
        .first('id', 'payload', 'expires_at', 'consumed_at');
      if (!row) return undefined;
      if (row.expires_at && row.expires_at <= clock.now()) return undefined;
      const payload = codec.open(this.model, row.id, row.payload);
      return row.consumed_at ? { ...payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : payload;
    }
  };
}

/** The raw ids (payload `jti`) of an account's sessions and grants: only the sealed payloads hold them. */
export function postgresAccountArtifacts(db: Queryable, codec: ArtifactCodec): AccountArtifacts {
  return {
    async list(accountId) {
      const rows: { type: string; id: string; payload: string }[] = await db('oidc_payloads')
        .where({ account_id: accountId })
        .whereIn('type', [...ACCOUNT_INDEXED])
        .select('type', 'id', 'payload');
      const ids = (type: string) => rows.filter((r) => r.type === type).map((r) => String(codec.open(type, r.id, r.payload).jti));
      return { sessions: ids('Session'), grants: ids('Grant') };
    },
  };
}

/** Removes expired artifacts; run periodically (Redis expires its own). */
export async function sweepExpiredPayloads(db: Queryable, now: Date): Promise<number> {
  return db('oidc_payloads').where('expires_at', '<', now).delete();
}
