import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { listsCommands } from '../../src/cli/lists.js';
import type { Infra } from '../../src/infra.js';
import { FTM_FIXTURE, OFAC_SDN_FIXTURE } from '../fixtures/screening/index.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';

let deps: TestDeps;
let infra: Infra;
const env = { keysDir: '' };
const run = (name: string, argv: string[]) => {
  const c = listsCommands[name]!;
  return c.run(c.parse(argv), infra, env);
};

beforeAll(async () => {
  deps = await createTestDeps();
  infra = { ...deps, migrations: [], close: async () => {} };
});
afterAll(async () => deps?.cleanup());

describe('kycport lists', () => {
  it('imports with an explicit format and shows the loaded lists', async () => {
    const out = await run('lists import', [OFAC_SDN_FIXTURE, '--format', 'ofac-sdn']);
    expect(out).toMatchObject({ status: 'imported', list: 'us_ofac_sdn', entries: 8 });
    await run('lists import', [FTM_FIXTURE, '--name', 'fixture_ftm']);
    const shown = (await run('lists show', [])) as { lists: { name: string; entries: number }[] };
    expect(shown.lists.map((l) => [l.name, l.entries])).toEqual([
      ['fixture_ftm', 26],
      ['us_ofac_sdn', 8],
    ]);
    // Each import is on the operator's audit chain, written in the import's transaction; an unchanged file adds none.
    await run('lists import', [FTM_FIXTURE, '--name', 'fixture_ftm']);
    const trail = await deps.db.knex('audit_entries').where({ action: 'sanctions_list.imported' }).orderBy('seq');
    expect(trail.map((e: { chain: string; actor_type: string; object_id: string; details: { entries: number } }) => [e.chain, e.actor_type, e.object_id, e.details.entries])).toEqual([
      ['operator', 'cli', 'us_ofac_sdn', 8],
      ['operator', 'cli', 'fixture_ftm', 26],
    ]);
  });

  it('rejects a bad --format and a missing FILE as usage errors', async () => {
    expect(() => listsCommands['lists import']!.parse([FTM_FIXTURE, '--format', 'xml'])).toThrow(UsageError);
    expect(() => listsCommands['lists import']!.parse([])).toThrow(UsageError);
  });
});
