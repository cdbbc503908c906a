// oidc-provider adapter on Redis: one hash per artifact (sealed payload + consumed), TTL from oidc-provider,
// and lists indexing artifacts by grant id so revoking a grant removes every token it issued. Key names carry
// keyed hashes of ids, uids, user codes and grant ids, never the values (artifacts.ts).
import type { Redis } from 'ioredis';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { ACCOUNT_INDEXED, type AccountArtifacts, type ArtifactCodec } from './artifacts.js';
import type { ClientCatalog } from './clients.js';

// Index keys always expire, even for artifacts oidc-provider saves without a TTL.
const TTL_FALLBACK = 14 * 24 * 3600;
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

/** Where artifacts live. Before hashing they were under `oidc:` with plain ids (purgeLegacyOidcKeys). */
const NS = 'oidch:';

export function redisAdapterFactory(redis: Redis, prefix: string, clients: ClientCatalog, codec: ArtifactCodec) {
  // `ref` is the hashed id: key(model, ref) is what the uid/user-code indexes point to.
  const key = (model: string, ref: string) => `${prefix}${NS}${model}:${ref}`;
  const grantKey = (grantId: string) => `${prefix}${NS}grant:${codec.index('grant', grantId)}`;
  const uidKey = (uid: string) => `${prefix}${NS}uid:${codec.index('uid', uid)}`;
  const userCodeKey = (code: string) => `${prefix}${NS}usercode:${codec.index('user_code', code)}`;
  const accountKey = accountIndexKey(prefix);

  return class RedisAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are managed by the CLI, not oidc-provider');
      const ref = codec.ref(this.model, id);
      const k = key(this.model, ref);
      const multi = redis.multi().del(k).hset(k, 'payload', codec.seal(this.model, ref, payload));
      if (expiresIn) multi.expire(k, expiresIn);
      if (GRANTABLE.has(this.model) && payload.grantId) {
        const g = grantKey(payload.grantId);
        multi.rpush(g, k);
        // The index lives as long as its longest member.
        if (expiresIn) multi.expire(g, expiresIn, 'GT').expire(g, expiresIn, 'NX');
      }
      const ttl = expiresIn ?? TTL_FALLBACK;
      // Per-account index of sessions and grants (hashed refs), so a password reset can end them (oidc/revoke.ts).
      if (ACCOUNT_INDEXED.has(this.model) && typeof payload.accountId === 'string') {
        const a = accountKey(payload.accountId);
        multi.sadd(a, `${this.model}:${ref}`).expire(a, ttl, 'GT').expire(a, ttl, 'NX');
      }
      if (payload.userCode) multi.set(userCodeKey(payload.userCode), ref, 'EX', ttl);
      if (payload.uid) multi.set(uidKey(payload.uid), ref, 'EX', ttl);
      await multi.exec();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clients.find(id);
      return this.findRef(codec.ref(this.model, id));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const ref = await redis.get(uidKey(uid));
      return ref ? this.findRef(ref) : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const ref = await redis.get(userCodeKey(userCode));
      return ref ? this.findRef(ref) : undefined;
    }

    private async findRef(ref: string): Promise<AdapterPayload | undefined> {
      const data = await redis.hgetall(key(this.model, ref));
      if (!data.payload) return undefined;
      const payload = codec.open(this.model, ref, data.payload);
      return data.consumed ? { ...payload, consumed: Number(data.consumed) } : payload;
    }

    async consume(id: string): Promise<void> {
      // Only mark what still exists: a consume racing an expiry must not leave a key without TTL.
      await redis.eval(
        "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], 'consumed', ARGV[1]) end return 0",
        1,
        key(this.model, codec.ref(this.model, id)),
        Math.floor(Date.now() / 1000),
      );
    }

    async destroy(id: string): Promise<void> {
      await redis.del(key(this.model, codec.ref(this.model, id)));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const g = grantKey(grantId);
      const members = await redis.lrange(g, 0, -1);
      await redis.del(...members, g);
    }
  };
}

const accountIndexKey = (prefix: string) => (accountId: string) => `${prefix}${NS}account:${accountId}`;

/** The raw ids (payload `jti`) of an account's sessions and grants, read from their sealed payloads. */
export function redisAccountArtifacts(redis: Redis, prefix: string, codec: ArtifactCodec): AccountArtifacts {
  const accountKey = accountIndexKey(prefix);
  return {
    async list(accountId) {
      const found = { sessions: [] as string[], grants: [] as string[] };
      const members = (await redis.smembers(accountKey(accountId))).map((m) => m.split(':') as [string, string]);
      if (members.length === 0) return found;
      const pipeline = redis.pipeline();
      for (const [model, ref] of members) pipeline.hget(`${prefix}${NS}${model}:${ref}`, 'payload');
      const replies = (await pipeline.exec()) ?? [];
      members.forEach(([model, ref], i) => {
        const [err, sealed] = replies[i] ?? [];
        if (err) throw err;
        if (typeof sealed !== 'string') return; // expired or destroyed since
        const jti = String(codec.open(model, ref, sealed).jti);
        (model === 'Session' ? found.sessions : found.grants).push(jti);
      });
      return found;
    },
  };
}

/**
 * Deletes artifacts stored before ids were hashed (`<prefix>oidc:*`: token values in key names, plain payloads).
 * They are no longer read; deleting them signs those sessions out, as the database migration does (0060).
 */
export async function purgeLegacyOidcKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}oidc:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) removed += await redis.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}
