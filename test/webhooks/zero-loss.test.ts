// Zero loss on real Postgres + Redis: 1,000 events while the receiver fails at random (500, timeouts, dropped
// connections) and a worker process is SIGKILLed twice and restarted. Every event must arrive at least once,
// only at its own tenant's endpoints. Short timeout and retry schedule via config, no sleeping for retries.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { emitEvent } from '../../src/webhooks/outbox.js';
import { createEndpoint } from '../../src/webhooks/service.js';
import type { EventType } from '../../src/webhooks/catalog.js';
import { createTestDeps, type TestDeps, TEST_ACTOR } from '../support/deps.js';
import { exited, spawnWorker, startReceiver, tenantWithKey, type Receiver } from './support.js';

const real = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
const EVENTS = 1000;

let deps: TestDeps;
let receiver: Receiver;

function startWorker(name: string): ChildProcess {
  return spawnWorker(deps.config, name, {
    WEBHOOK_TIMEOUT_MS: '500',
    // 20 attempts: with 30 % failures per attempt, giving up is a 1-in-10^10 event per delivery.
    WEBHOOK_RETRY_SCHEDULE: '0,100ms,200ms,300ms,500ms,500ms,1s,1s,1s,2s,2s,2s,3s,3s,3s,3s,3s,3s,3s,3s',
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!real)('zero loss (Postgres + Redis, crashing workers)', () => {
  beforeAll(async () => {
    deps = await createTestDeps({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1:*' } });
  });
  afterAll(async () => {
    await receiver?.close();
    await deps?.cleanup();
  });

  it('delivers every event at least once to exactly its own tenant', { timeout: 150_000 }, async () => {
    const db = deps.db.knex;
    // Answers: 70 % 200, 10 % 500, 10 % no answer (sender times out), 10 % connection dropped.
    const delivered = new Map<string, number>(); // "path event_id" → 2xx count
    const misrouted: string[] = [];
    const badSignatures: string[] = [];
    const secrets = new Map<string, string>(); // path → secret
    receiver = await startReceiver((req) => {
      const roll = Math.random();
      if (roll < 0.1) return 'drop';
      if (roll < 0.2) return 'hang';
      // Slow-ish answers keep deliveries in flight when a worker is killed.
      if (roll < 0.3) return { status: 500, delayMs: Math.random() * 200 };
      const body = JSON.parse(req.body) as { id: string; tenant_id: string };
      try {
        new Webhook(secrets.get(req.path)!).verify(req.body, req.headers);
      } catch {
        badSignatures.push(req.path);
      }
      if (!req.path.includes(body.tenant_id) || owner.get(body.id) !== body.tenant_id) misrouted.push(`${req.path} ${body.id}`);
      const key = `${req.path} ${body.id}`;
      delivered.set(key, (delivered.get(key) ?? 0) + 1);
      return { status: 200, delayMs: Math.random() * 200 };
    });

    // Four tenants with an endpoint for everything; the first also has one for decisions only.
    const tenants: string[] = [];
    const endpoints: { tenant: string; path: string; events: string[] }[] = [];
    for (let i = 0; i < 4; i++) {
      const { tenantId } = await tenantWithKey(db, `T${i}`);
      tenants.push(tenantId);
      const subs = i === 0 ? [['*'], ['verification.case.decided']] : [['*']];
      for (const [j, events] of subs.entries()) {
        const p = `/hook/${tenantId}/${j}`;
        const ep = await createEndpoint(deps, tenantId, { url: `http://127.0.0.1:${receiver.port}${p}`, events }, TEST_ACTOR);
        secrets.set(p, ep.secret);
        endpoints.push({ tenant: tenantId, path: p, events });
      }
    }

    const owner = new Map<string, string>();
    const expected = new Set<string>();
    const types: EventType[] = ['verification.case.created', 'verification.case.uploaded', 'verification.case.decided', 'person.assurance.changed'];
    let w1 = startWorker('w1');
    const w2 = startWorker('w2');
    const kills: Promise<void>[] = [];

    const started = Date.now();
    for (let i = 0; i < EVENTS; i += 10) {
      await db.transaction(async (trx) => {
        for (let k = 0; k < 10; k++) {
          const tenantId = tenants[(i + k) % tenants.length]!;
          const type = types[Math.floor(Math.random() * types.length)]!;
          const { id } = await emitEvent(trx, { tenantId, type, data: { seq: i + k } });
          owner.set(id, tenantId);
          for (const ep of endpoints) {
            if (ep.tenant === tenantId && (ep.events.includes('*') || ep.events.includes(type))) expected.add(`${ep.path} ${id}`);
          }
        }
      });
      // Crash the first worker a third and two thirds of the way through; restart it a moment later.
      if (i === 330 || i === 660) {
        const victim = w1;
        victim.kill('SIGKILL');
        await exited(victim);
        kills.push(
          sleep(500).then(() => {
            w1 = startWorker('w1');
          }),
        );
      }
      await sleep(15);
    }
    await Promise.all(kills);
    const emittedIn = Date.now() - started;

    const deadline = Date.now() + 110_000;
    const missing = () => [...expected].filter((k) => !delivered.has(k));
    // Also wait for the books to close: a worker killed after the receiver's 2xx but before recording it leaves
    // the row pending, and it is sent again (a counted duplicate) once its lease runs out.
    const open = async () => Number((await db('webhook_deliveries').whereNot({ status: 'delivered' }).count({ n: '*' }))[0]!.n);
    while ((missing().length > 0 || (await open()) > 0) && Date.now() < deadline) await sleep(250);

    // Graceful stop: in-flight deliveries finish and are recorded, then the process exits 0.
    w1.kill('SIGTERM');
    w2.kill('SIGTERM');
    await Promise.all([exited(w1), exited(w2)]);
    expect([w1.exitCode, w2.exitCode]).toEqual([0, 0]);

    const duplicates = [...delivered.values()].reduce((n, c) => n + c - 1, 0);
    const attempts = Number((await db('webhook_attempts').count({ n: '*' }))[0]!.n);
    console.log(
      `zero-loss: ${owner.size} events → ${expected.size} deliveries expected, ${delivered.size} delivered, ` +
        `${duplicates} duplicate 2xx deliveries, ${attempts} recorded attempts, emitted in ${emittedIn} ms, done after ${Date.now() - started} ms`,
    );
    expect(owner.size).toBe(EVENTS);
    expect(missing()).toEqual([]);
    expect([...delivered.keys()].filter((k) => !expected.has(k))).toEqual([]);
    expect(misrouted).toEqual([]);
    expect(badSignatures).toEqual([]);
    const notDelivered = await db('webhook_deliveries').whereNot({ status: 'delivered' }).select('id', 'status', 'attempts', 'last_error');
    expect(notDelivered).toEqual([]);
  });
});
