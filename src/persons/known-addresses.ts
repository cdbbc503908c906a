// Queries over sign_in_addresses: keyed hashes of (account, address) that signed in, each with an end of life.
import type { Knex } from 'knex';

export const knownAddressStore = {
  async has(db: Knex, hash: string, now: Date): Promise<boolean> {
    return Boolean(await db('sign_in_addresses').where({ hash }).andWhere('expires_at', '>', now).first('hash'));
  },
  async remember(db: Knex, hash: string, expiresAt: Date): Promise<void> {
    await db('sign_in_addresses').insert({ hash, expires_at: expiresAt }).onConflict('hash').merge(['expires_at']);
  },
  async prune(db: Knex, now: Date): Promise<number> {
    return db('sign_in_addresses').where('expires_at', '<=', now).delete();
  },
};
