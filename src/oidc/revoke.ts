// Ends a person's sessions and grants in oidc-provider's store: on a password reset (all of them) and a password
// change (all but the session in use). Destroying a grant revokes the refresh and access tokens issued under it
// (the adapters' revokeByGrantId), and our userinfo refuses an access token whose grant is gone.
import type Provider from 'oidc-provider';
import type { Redis } from 'ioredis';
import type { Queryable } from '../db/index.js';

/** The ids of the sessions and grants of an account, from whichever store holds oidc-provider's artifacts. */
export interface AccountArtifacts {
  list(accountId: string): Promise<{ sessions: string[]; grants: string[] }>;
}

export function postgresAccountArtifacts(db: Queryable): AccountArtifacts {
  return {
    async list(accountId) {
      // The partial expression index oidc_payloads_account serves this.
      const rows: { type: string; jti: string | null }[] = await db('oidc_payloads')
        .whereIn('type', ['Session', 'Grant'])
        .whereRaw(`payload->>'accountId' = ?`, [accountId])
        .select('type', db.raw(`payload->>'jti' as jti`));
      const ids = (type: string) => rows.filter((r) => r.type === type && r.jti).map((r) => r.jti!);
      return { sessions: ids('Session'), grants: ids('Grant') };
    },
  };
}

/** The Redis adapter keeps a set per account (`oidc:account:<id>`) of `Session:<id>` / `Grant:<id>` members. */
export function redisAccountArtifacts(redis: Redis, prefix: string): AccountArtifacts {
  return {
    async list(accountId) {
      const members = await redis.smembers(`${prefix}oidc:account:${accountId}`);
      const ids = (type: string) => members.filter((m) => m.startsWith(`${type}:`)).map((m) => m.slice(type.length + 1));
      return { sessions: ids('Session'), grants: ids('Grant') };
    },
  };
}

export function accountRevoker(provider: Provider, artifacts: AccountArtifacts) {
  return {
    async revoke(accountId: string, keep?: { sessionId: string }): Promise<{ sessions: number; grants: number }> {
      const { sessions, grants } = await artifacts.list(accountId);
      const kept = new Set<string>();
      if (keep) {
        const current = await provider.Session.find(keep.sessionId);
        for (const a of Object.values(current?.authorizations ?? {})) if (a.grantId) kept.add(a.grantId);
      }
      const endSessions = sessions.filter((id) => id !== keep?.sessionId);
      const endGrants = grants.filter((id) => !kept.has(id));
      for (const id of endSessions) await provider.Session.adapter.destroy(id);
      for (const id of endGrants) {
        await provider.Grant.adapter.revokeByGrantId(id);
        await provider.Grant.adapter.destroy(id);
      }
      return { sessions: endSessions.length, grants: endGrants.length };
    },
  };
}

/** The person signed in to this browser (oidc-provider's session cookie), or undefined. */
export function currentSession(provider: Provider) {
  return async (ctx: Parameters<typeof provider.Session.get>[0]): Promise<{ accountId: string; sessionId: string } | undefined> => {
    const session = await provider.Session.get(ctx);
    return session.accountId ? { accountId: session.accountId, sessionId: session.jti } : undefined;
  };
}
