// Loads @vladmandic/human once per thread on the WASM backend, fully offline.
// Human fetches its model files with the global fetch and tfjs only routes http(s) URLs, so model URLs use a
// sentinel host that a narrow fetch wrapper answers from node_modules/@vladmandic/human/models on disk.
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Config, Human } from '@vladmandic/human';

const require = createRequire(import.meta.url);
// The package's exports map lacks a valid "./dist/…" subpath, so locate dist/ from the main entry.
const humanDist = path.dirname(require.resolve('@vladmandic/human'));
const humanEntry = path.join(humanDist, 'human.node-wasm.js');
const modelsDir = path.join(humanDist, '..', 'models');
const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const MODEL_HOST = 'http://kycport-models.invalid/';

/** Detection settings for still images: no frame caching, several faces so "exactly one face" can be judged. */
export const humanConfig: Partial<Config> = {
  backend: 'wasm',
  wasmPath: `${wasmDir}${path.sep}`,
  modelBasePath: MODEL_HOST,
  debug: false,
  async: false,
  cacheSensitivity: 0,
  filter: { enabled: false },
  face: {
    enabled: true,
    detector: {
      rotation: true,
      maxDetected: 20,
      minConfidence: 0.3,
      skipFrames: 0,
      skipTime: 0,
      return: false,
    },
    mesh: { enabled: true },
    iris: { enabled: false },
    emotion: { enabled: false },
    description: { enabled: true, skipFrames: 0, skipTime: 0 },
    antispoof: { enabled: true, skipFrames: 0, skipTime: 0 },
    liveness: { enabled: true, skipFrames: 0, skipTime: 0 },
  },
  body: { enabled: false },
  hand: { enabled: false },
  object: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
};

function installModelFetch(): void {
  const g = globalThis as { fetch: typeof fetch; __kycportModelFetch?: boolean };
  if (g.__kycportModelFetch) return;
  const original = g.fetch;
  g.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(MODEL_HOST)) return original(input, init);
    // Only bare file names inside the models folder: no traversal out of it.
    const name = path.basename(decodeURIComponent(url.slice(MODEL_HOST.length).split('?')[0] ?? ''));
    try {
      const body = await fs.readFile(path.join(modelsDir, name));
      const type = name.endsWith('.json') ? 'application/json' : 'application/octet-stream';
      return new Response(body, { status: 200, headers: { 'content-type': type } });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
  g.__kycportModelFetch = true;
}

let loading: Promise<Human> | undefined;

/** The thread's Human instance, models loaded and warmed up. Safe to call repeatedly. */
export function loadHuman(): Promise<Human> {
  loading ??= (async () => {
    installModelFetch();
    const mod = require(humanEntry) as { Human: new (c: Partial<Config>) => Human };
    const human = new mod.Human(humanConfig);
    await human.load();
    await human.warmup({ warmup: 'face' });
    return human;
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
