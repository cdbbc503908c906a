// Child process of bench/dedup.ts: opens the sketch index on DATABASE_URL in a fresh process, as a server start
// would (opening every sealed sketch with the bench's key), and prints {loadS, rssBeforeMb, rssAfterMb, size} so
// the memory it costs is not mixed with the bench's own.
import { openDatabase } from '../../src/db/index.js';
import { SketchDedupIndex } from '../../src/verification/dedup/sketch-index.js';
import { templateBox } from '../../src/verification/dedup/templates.js';

const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: '/tmp' });
const rssBefore = process.memoryUsage().rss;
const t0 = process.hrtime.bigint();
const index = await SketchDedupIndex.open(db.knex, templateBox(Buffer.from(process.env.KYCPORT_BENCH_DEDUP_KEY!, 'hex')));
const loadS = Number(process.hrtime.bigint() - t0) / 1e9;
const mb = (b: number) => Math.round(b / 2 ** 20);
process.stdout.write(JSON.stringify({ loadS, rssBeforeMb: mb(rssBefore), rssAfterMb: mb(process.memoryUsage().rss), size: index.size }));
await db.close();
