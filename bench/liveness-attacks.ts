// Passive liveness against generated presentation attacks (test/support/attacks.ts).
// Run: nice -n 19 npx tsx bench/liveness-attacks.ts [--stride N] [--write DIR] [--limit N]   (markdown + JSON)
// Bona fide = every face sample image shipped with the packages that shows exactly one selfie face. Every
// `stride`-th of them (default 2: generating takes seconds an image) is turned into a print, a screen replay and a
// recapture (the print replayed on a screen), severity cycling 0.2 / 0.6 / 1.0 over the attacked samples, seed =
// the attacked sample's number. Scores come from the production path: detectFaces on the image,
// countSelfieFaces, passiveLivenessCheck on the largest face. Attacks whose face count is not exactly 1 are
// counted apart (the selfie check would stop them, not liveness).
// ISO/IEC 30107-3 terms: APCER = share of attack presentations accepted as bona fide (the check passes);
// BPCER = share of bona fide presentations rejected (the check fails). Generated attacks are not a validated
// PAD data set: these figures say how the models react to these images, not how they fare against real attackers.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { detectFaces, initFaceEngine } from '../src/verification/engine/face/detect.js';
import { countSelfieFaces } from '../src/verification/engine/face/selfie.js';
import { passiveLivenessCheck } from '../src/verification/engine/liveness/passive.js';
import { thresholds } from '../src/verification/thresholds.js';
import { ATTACK_KINDS, presentationAttack, type AttackKind } from '../test/support/attacks.js';
import { demoSamples, gridOthers, personA, type Sample } from '../test/verification/engine/face/samples.js';

export const SEVERITIES = [0.2, 0.6, 1] as const;

export interface Scored {
  sample: string;
  kind: 'bona fide' | AttackKind;
  severity: number | null;
  faces: number;
  antispoof: number | null;
  liveness: number | null;
  passed: boolean | null;
}

async function score(sample: string, kind: Scored['kind'], severity: number | null, bytes: Buffer): Promise<Scored> {
  const { faces } = await detectFaces(bytes);
  const count = countSelfieFaces(faces);
  const face = faces[0];
  if (count !== 1 || !face) return { sample, kind, severity, faces: count, antispoof: null, liveness: null, passed: null };
  const check = passiveLivenessCheck(face);
  return { sample, kind, severity, faces: count, antispoof: face.real, liveness: face.live, passed: check.passed };
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;
const pct = (k: number, n: number) => (n ? `${((100 * k) / n).toFixed(1)}% (${k}/${n})` : '–');

function spread(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return '–';
  const q = (p: number) => s[Math.round(p * (s.length - 1))]!;
  return `${r3(s[0]!)} / ${r3(q(0.5))} / ${r3(s.at(-1)!)}`;
}

/** Probability that a random bona fide scores above a random attack (ties count half): 0.5 = no separation. */
function auc(bona: number[], attack: number[]): number {
  let wins = 0;
  for (const b of bona) for (const a of attack) wins += b > a ? 1 : b === a ? 0.5 : 0;
  return r3(wins / (bona.length * attack.length || 1));
}

export async function measure(opts: { limit?: number; write?: string; stride?: number } = {}) {
  await initFaceEngine();
  const all: Sample[] = [...personA, ...gridOthers, ...[1, 2, 3, 4, 5, 6].flatMap(demoSamples)].slice(0, opts.limit);
  const rows: Scored[] = [];
  const notSingle: string[] = [];
  let single = 0;
  let index = 0;
  for (const s of all) {
    const bytes = await s.load();
    const bona = await score(s.id, 'bona fide', null, bytes);
    if (bona.faces !== 1) {
      notSingle.push(`${s.id} (${bona.faces} faces)`);
      continue;
    }
    rows.push(bona);
    if (single++ % (opts.stride ?? 2) !== 0) continue;
    const severity = SEVERITIES[index % SEVERITIES.length]!;
    index++;
    for (const kind of ATTACK_KINDS) {
      const attack = await presentationAttack(bytes, { kind, severity, seed: index });
      if (opts.write) fs.writeFileSync(path.join(opts.write, `${s.id}-${kind}-${severity}.jpg`), attack);
      rows.push(await score(s.id, kind, severity, attack));
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  return report(rows, notSingle);
}

export function report(rows: Scored[], notSingle: string[]) {
  const { antispoofMin, liveMin } = thresholds.face.passiveLiveness;
  const measured = rows.filter((r) => r.faces === 1);
  const bona = measured.filter((r) => r.kind === 'bona fide');
  const groups: Array<{ name: string; rows: Scored[]; attack: boolean }> = [{ name: 'bona fide', rows: bona, attack: false }];
  for (const kind of ATTACK_KINDS) {
    groups.push({ name: kind, rows: measured.filter((r) => r.kind === kind), attack: true });
    for (const sev of SEVERITIES) groups.push({ name: `${kind} @ ${sev}`, rows: measured.filter((r) => r.kind === kind && r.severity === sev), attack: true });
  }
  groups.push({ name: 'all attacks', rows: measured.filter((r) => r.kind !== 'bona fide'), attack: true });

  const lines = [
    `Current thresholds: antispoof ≥ ${antispoofMin} and liveness ≥ ${liveMin}.`,
    '',
    '| presentations | n | antispoof min / p50 / max | liveness min / p50 / max | passes (APCER for attacks) | fails (BPCER for bona fide) | AUC antispoof / liveness vs bona fide |',
    '|---|---|---|---|---|---|---|',
    ...groups.map(({ name, rows: g, attack }) => {
      const pass = g.filter((r) => r.passed).length;
      const sep = attack ? `${auc(bona.map((r) => r.antispoof!), g.map((r) => r.antispoof!))} / ${auc(bona.map((r) => r.liveness!), g.map((r) => r.liveness!))}` : '';
      return `| ${name} | ${g.length} | ${spread(g.map((r) => r.antispoof!))} | ${spread(g.map((r) => r.liveness!))} | ${attack ? pct(pass, g.length) : ''} | ${attack ? '' : pct(g.length - pass, g.length)} | ${sep} |`;
    }),
  ];

  // Threshold sweep: each model alone (the other's threshold at 0), APCER per kind against BPCER.
  const sweepRow = (key: 'antispoof' | 'liveness', t: number) => {
    const apcer = ATTACK_KINDS.map((k) => {
      const g = measured.filter((r) => r.kind === k);
      return pct(g.filter((r) => r[key]! >= t).length, g.length);
    });
    return `| ${t} | ${pct(bona.filter((r) => r[key]! < t).length, bona.length)} | ${apcer.join(' | ')} |`;
  };
  for (const key of ['antispoof', 'liveness'] as const) {
    lines.push('', `Sweep, ${key} alone (the other model ignored):`, '', `| threshold | BPCER | ${ATTACK_KINDS.map((k) => `APCER ${k}`).join(' | ')} |`, '|---|---|---|---|---|');
    for (const t of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95]) lines.push(sweepRow(key, t));
  }

  const faceCounts = ATTACK_KINDS.map((k) => {
    const g = rows.filter((r) => r.kind === k);
    return `${k}: ${g.filter((r) => r.faces === 1).length}/${g.length} with exactly one face${g.some((r) => r.faces !== 1) ? ` (not: ${g.filter((r) => r.faces !== 1).map((r) => `${r.sample}@${r.severity}→${r.faces}`).join(', ')})` : ''}`;
  });
  lines.push('', `Face count on attacks — ${faceCounts.join('; ')}.`, `Bona fide samples left out (not exactly one face): ${notSingle.join(', ') || 'none'}.`);
  return { markdown: lines.join('\n'), rows };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const write = arg('--write');
  if (write) fs.mkdirSync(write, { recursive: true });
  const started = Date.now();
  const limit = arg('--limit');
  const stride = arg('--stride');
  const { markdown, rows } = await measure({ write, limit: limit ? Number(limit) : undefined, stride: stride ? Number(stride) : undefined });
  process.stdout.write(`${markdown}\n\n${JSON.stringify(rows)}\n`);
  process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  process.exit(0);
}
