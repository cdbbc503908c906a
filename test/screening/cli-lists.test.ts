import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { listsCommands } from '../../src/cli/lists.js';
import type { Runtime } from '../../src/runtime.js';
import { FTM_FIXTURE, OFAC_SDN_FIXTURE } from '../fixtures/screening/index.js';
import { createTestDeps, type TestDeps } from '../support/deps.js';

let deps: TestDeps;
let rt: Runtime;
const env = { keysDir: '', isProduction: false };

beforeAll(async () => {
  deps = await createTestDeps();
  rt = { ...deps, migrations: [], close: async () => {} };
});
afterAll(async () => deps?.cleanup());

describe('kycport lists', () => {
  it('imports with an explicit format and shows the loaded lists', async () => {
    const out = await listsCommands['lists import']!.run([OFAC_SDN_FIXTURE, '--format', 'ofac-sdn'], rt, env);
    expect(out).toMatchObject({ status: 'imported', list: 'us_ofac_sdn', entries: 8 });
    await listsCommands['lists import']!.run([FTM_FIXTURE, '--name', 'fixture_ftm'], rt, env);
    const shown = (await listsCommands['lists show']!.run([], rt, env)) as { lists: { name: string; entries: number }[] };
    expect(shown.lists.map((l) => [l.name, l.entries])).toEqual([
      ['fixture_ftm', 26],
      ['us_ofac_sdn', 8],
    ]);
  });

  it('rejects a bad --format and a missing FILE as usage errors', async () => {
    await expect(listsCommands['lists import']!.run([FTM_FIXTURE, '--format', 'xml'], rt, env)).rejects.toThrow(UsageError);
    await expect(listsCommands['lists import']!.run([], rt, env)).rejects.toThrow(UsageError);
  });
});
