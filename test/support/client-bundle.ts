// Vitest global setup: build the hosted flow's client once per run, so every test server (and any targeted
// `npx vitest run file`) serves a current /assets/hosted/verify.js without a separate build step.
import { buildClient } from '../../scripts/build-client.js';

export default async function setup(): Promise<void> {
  await buildClient();
}
