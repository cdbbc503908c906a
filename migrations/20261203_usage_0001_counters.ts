// Usage counters that have no row of their own to count: status lookups (the status route is a hot path and
// writes nothing per request; usage/lookups.ts counts in memory and adds its counts here periodically).
import type { Migration } from '../src/db/migrate.js';

export const usageCounters: Migration = {
  name: '20261203_usage_0001_counters',
  async up(knex) {
    await knex.schema.createTable('usage_counters', (t) => {
      t.text('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
      /** YYYY-MM, UTC. */
      t.text('month').notNullable();
      t.text('metric').notNullable();
      t.bigInteger('count').notNullable().defaultTo(0);
      t.primary(['tenant_id', 'month', 'metric']);
    });
  },
  async down(knex) {
    await knex.schema.dropTable('usage_counters');
  },
};
