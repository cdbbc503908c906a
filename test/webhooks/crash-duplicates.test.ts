// Issue 10 item 16: a worker SIGKILLed in the middle of a 25-concurrent burst re-sends, after its leases run
// out, only what it had in flight (sent, outcome not yet committed), not a backlog of unrecorded sends.
// Real Postgres + Redis and real worker processes; the receiver answers at once, so sends outpace the writes.
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { emitEvent } from '../../src/webhooks/outbox.js';
import { createEndpoint } from '../../src/webhooks/service.js';
import { createTestDeps, type TestDeps, TEST_ACTOR } from '../support/deps.js';
import { exited, spawnWorker, startReceiver, tenantWithKey, type Receiver } from './support.js';

const real = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
const EVENTS = 255;
const CONCURRENCY = 25;

let deps: TestDeps | undefined;
let receiver: Receiver | undefined;

function startWorker(d: TestDeps): ChildProcess {
  // The lease is the timeout plus a margin: short here, so the test does not wait long for the re-sends.
  return spawnWorker(d.config, 'worker', { WEBHOOK_CONCURRENCY: String(CONCURRENCY), WEBHOOK_TIMEOUT_MS: '1000' });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!real)('duplicate deliveries after a worker crash', () => {
  afterAll(async () => {
    await receiver?.close();
    await deps?.cleanup();
  });

  it(`re-sends at most the ${CONCURRENCY} deliveries in flight when a worker is SIGKILLed mid-burst`, { timeout: 180_000 }, async () => {
    deps = await createTestDeps({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
    const d = deps;
    const db = d.db.knex;
    const counts = new Map<string, number>();
    let worker: ChildProcess | undefined;
    let receivedAtKill = 0;
    receiver = await startReceiver((req) => {
      const id = (JSON.parse(req.body) as { id: string }).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
      // Mid-burst: after 100 distinct events, kill the worker without warning.
      if (counts.size === 100 && worker && receivedAtKill === 0) {
        receivedAtKill = counts.size;
        worker.kill('SIGKILL');
      }
      return { status: 200 };
    });
    const { tenantId } = await tenantWithKey(db);
    await createEndpoint(d, tenantId, { url: receiver.url, events: ['*'] }, TEST_ACTOR);
    await db.transaction(async (trx) => {
      for (let i = 0; i < EVENTS; i++) await emitEvent(trx, { tenantId, type: 'verification.case.created', data: { seq: i } });
    });

    worker = startWorker(d);
    await exited(worker);
    const recordedAtKill = Number((await db('webhook_deliveries').where({ status: 'delivered' }).count({ n: '*' }))[0]!.n);
    const unrecordedAtKill = counts.size - recordedAtKill;

    const started = Date.now();
    worker = startWorker(d);
    const open = async () => Number((await db('webhook_deliveries').whereNot({ status: 'delivered' }).count({ n: '*' }))[0]!.n);
    while ((counts.size < EVENTS || (await open()) > 0) && Date.now() - started < 120_000) await sleep(250);
    const doneAfterMs = Date.now() - started;
    worker.kill('SIGTERM');
    await exited(worker);

    const duplicates = [...counts.values()].reduce((n, c) => n + c - 1, 0);
    console.log(
      `crash-duplicates: killed after ${receivedAtKill} events received, ${recordedAtKill} recorded (${unrecordedAtKill} sent but unrecorded); ` +
        `${duplicates} duplicate deliveries; all ${counts.size} delivered ${doneAfterMs} ms after the restart`,
    );
    expect(counts.size).toBe(EVENTS);
    expect(await open()).toBe(0);
    expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
  });
});
