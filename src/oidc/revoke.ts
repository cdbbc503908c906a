// Ends a person's sessions and grants in oidc-provider's store: on a password reset (all of them) and a password
// change (all but the session in use). Destroying a grant revokes the refresh and access tokens issued under it
// (the adapters' revokeByGrantId), and our userinfo refuses an access token whose grant is gone. A person who
// withdraws one tenant's access (privacy/) ends only the grants of that tenant's clients: the next sign-in there
// finds no grant and asks for consent again.
import type Provider from 'oidc-provider';
import type { AccountArtifacts } from './adapters/artifacts.js';
import { clientTenant } from './adapters/clients.js';

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
    /** Ends the account's grants (and their refresh and access tokens) with the clients of one tenant. */
    async revokeTenant(accountId: string, tenantId: string): Promise<{ grants: number }> {
      const { grants } = await artifacts.list(accountId);
      let ended = 0;
      for (const id of grants) {
        const grant = await provider.Grant.find(id);
        if (!grant?.clientId) continue;
        const client = await provider.Client.find(grant.clientId);
        if (clientTenant(client) !== tenantId) continue;
        await provider.Grant.adapter.revokeByGrantId(id);
        await provider.Grant.adapter.destroy(id);
        ended++;
      }
      return { grants: ended };
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

/** The browser's sign-in as the provider recorded it: who, how (RFC 8176 amr) and when (seconds). */
export function currentLogin(provider: Provider) {
  return async (ctx: Parameters<typeof provider.Session.get>[0]): Promise<{ accountId: string; amr: string[]; loginTs: number } | undefined> => {
    const session = await provider.Session.get(ctx);
    return session.accountId ? { accountId: session.accountId, amr: session.amr ?? [], loginTs: session.loginTs ?? 0 } : undefined;
  };
}
