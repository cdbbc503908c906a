// Runs the migrations listed in migrations/index.ts. A static list works the same under tsx and compiled JS.
import type { Knex } from 'knex';
import { migrations } from '../../migrations/index.js';
import type { Database } from './index.js';

export interface MigrationContext {
  hasVector: boolean;
}

export interface Migration {
  name: string;
  up(knex: Knex, ctx: MigrationContext): Promise<void>;
  down?(knex: Knex, ctx: MigrationContext): Promise<void>;
}

function source(ctx: MigrationContext): Knex.MigrationSource<Migration> {
  return {
    getMigrations: () => Promise.resolve(migrations),
    getMigrationName: (m) => m.name,
    getMigration: (m) =>
      Promise.resolve({
        up: (k: Knex) => m.up(k, ctx),
        down: (k: Knex) => (m.down ? m.down(k, ctx) : Promise.resolve()),
      }),
  };
}

export async function migrateLatest(db: Database): Promise<string[]> {
  const [, applied] = (await db.knex.migrate.latest({
    migrationSource: source({ hasVector: db.hasVector }),
    tableName: 'knex_migrations',
  })) as [number, string[]];
  return applied;
}
