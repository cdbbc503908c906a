// oidc-provider adapter on Redis: one hash per artifact (payload + consumed), TTL from oidc-provider,
// and sets indexing artifacts by grant id so revoking a grant removes every token it issued.
import type { Redis } from 'ioredis';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { ClientCatalog } from './clients.js';

// Index keys always expire, even for artifacts oidc-provider saves without a TTL.
const TTL_FALLBACK = 14 * 24 * 3600;
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

export function redisAdapterFactory(redis: Redis, prefix: string, clients: ClientCatalog) {
  const key = (model: string, id: string) => `${prefix}oidc:${model}:${id}`;
  const grantKey = (id: string) => `${prefix}oidc:grant:${id}`;
  const uidKey = (uid: string) => `${prefix}oidc:uid:${uid}`;
  const userCodeKey = (code: string) => `${prefix}oidc:usercode:${code}`;
  // Per-account index of sessions and grants, so a password reset can end them (oidc/revoke.ts).
  const accountKey = (accountId: string) => `${prefix}oidc:account:${accountId}`;

  return class RedisAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      if (this.model === 'Client') throw new Error('clients are managed by the CLI, not oidc-provider');
      const k = key(this.model, id);
      const multi = redis.multi().del(k).hset(k, 'payload', JSON.stringify(payload));
      if (expiresIn) multi.expire(k, expiresIn);
      if (GRANTABLE.has(this.model) && payload.grantId) {
        const g = grantKey(payload.grantId);
        multi.rpush(g, k);
        // The index lives as long as its longest member.
        if (expiresIn) multi.expire(g, expiresIn, 'GT').expire(g, expiresIn, 'NX');
      }
      const ttl = expiresIn ?? TTL_FALLBACK;
      if ((this.model === 'Session' || this.model === 'Grant') && typeof payload.accountId === 'string') {
        const a = accountKey(payload.accountId);
        multi.sadd(a, `${this.model}:${id}`).expire(a, ttl, 'GT').expire(a, ttl, 'NX');
      }
      if (payload.userCode) multi.set(userCodeKey(payload.userCode), id, 'EX', ttl);
      if (payload.uid) multi.set(uidKey(payload.uid), id, 'EX', ttl);
      await multi.exec();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clients.find(id);
      const data = await redis.hgetall(key(this.model, id));
      if (!data.payload) return undefined;
      const payload = JSON.parse(data.payload) as AdapterPayload;
      return data.consumed ? { ...payload, consumed: Number(data.consumed) } : payload;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = await redis.get(uidKey(uid));
      return id ? this.find(id) : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const id = await redis.get(userCodeKey(userCode));
      return id ? this.find(id) : undefined;
    }

    async consume(id: string): Promise<void> {
      // Only mark what still exists: a consume racing an expiry must not leave a key without TTL.
      await redis.eval(
        "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], 'consumed', ARGV[1]) end return 0",
        1,
        key(this.model, id),
        Math.floor(Date.now() / 1000),
      );
    }

    async destroy(id: string): Promise<void> {
      await redis.del(key(this.model, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const g = grantKey(grantId);
      const members = await redis.lrange(g, 0, -1);
      await redis.del(...members, g);
    }
  };
}
