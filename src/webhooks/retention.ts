// Webhook history retention: events whose deliveries are all final (delivered, failed or cancelled) and their
// attempt log are deleted WEBHOOK_RETENTION_DAYS after they were written. Unrelayed events and events with a
// pending delivery are never touched, whatever their age: retention must not lose an undelivered event.
// Deletes go in batches so a large backlog never holds long locks.
import type { Knex } from 'knex';
import type { Clock } from '../clock.js';

const BATCH = 1000;

/** Runs a `delete … returning id` until it removes less than a full batch. */
async function inBatches(maxBatches: number, batch: () => Promise<unknown[]>): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = (await batch()).length;
    total += n;
    if (n < BATCH) break;
  }
  return total;
}

export async function pruneWebhookHistory(
  db: Knex,
  clock: Clock,
  retentionDays: number,
  maxBatches = 50,
): Promise<{ events: number; attempts: number }> {
  const cutoff = new Date(clock.now().getTime() - retentionDays * 86_400_000);
  // Deliveries cascade with their event, and their attempts with them.
  const events = await inBatches(maxBatches, () =>
    db('webhook_events')
      .whereIn(
        'id',
        db('webhook_events as e')
          .select('e.id')
          .where('e.created_at', '<', cutoff)
          .whereNotNull('e.relayed_at')
          .whereNotExists(db('webhook_deliveries as d').select(db.raw('1')).whereRaw('d.event_id = e.id').where('d.status', 'pending'))
          .orderBy('e.created_at')
          .limit(BATCH),
      )
      .delete()
      .returning('id'),
  );
  // What is left: attempts not tied to a delivery (endpoint-disabled notes).
  const attempts = await inBatches(maxBatches, () =>
    db('webhook_attempts')
      .whereIn('id', db('webhook_attempts').select('id').where('created_at', '<', cutoff).whereNull('delivery_id').orderBy('id').limit(BATCH))
      .delete()
      .returning('id'),
  );
  return { events, attempts };
}
