// `kycport audit verify|export`, and what every other command uses to write its audit entry: the CLI's actor
// (the operating-system user who ran it; over the admin socket, the server's user, who alone may open that
// socket) and an audit service over the command's own database.
import os from 'node:os';
import { OPERATOR_CHAIN, type AuditActor } from '../audit/chain.js';
import { createAuditService, type AuditService } from '../audit/service.js';
import type { Infra } from '../infra.js';
import { command, flags, UsageError, type Command } from './args.js';

export const cliActor = (): AuditActor => ({ type: 'cli', id: os.userInfo().username });

export const cliAudit = (infra: Infra): AuditService => createAuditService({ db: infra.db.knex, clock: infra.clock });

/** A chain that does not verify: exit 1, naming the first broken entry. */
export class BrokenChainError extends Error {}

/** `--tenant ID` names a tenant's chain; absent (or `operator`), the operator's. */
function tenantOf(value: string | undefined): string | null {
  const t = value?.trim();
  if (t === '') throw new UsageError('--tenant needs a tenant id');
  return t === undefined || t === OPERATOR_CHAIN ? null : t;
}

function instant(value: string | undefined, name: string): Date {
  if (!value) throw new UsageError(`--${name} is required (ISO 8601, e.g. 2026-12-01 or 2026-12-01T08:00:00Z)`);
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(d.getTime())) throw new UsageError(`--${name}: not an ISO 8601 date: ${value}`);
  return d;
}

export const auditCommands: Record<string, Command> = {
  'audit verify': command({
    usage: 'audit verify [--tenant ID | --all]',
    needsDb: true,
    parse(argv) {
      const { values } = flags(argv, { tenant: { type: 'string' }, all: { type: 'boolean', default: false } });
      if (values.all && values.tenant !== undefined) throw new UsageError('give --tenant or --all, not both');
      return values.all ? { all: true as const } : { tenantId: tenantOf(values.tenant) };
    },
    async run(a, infra) {
      const audit = cliAudit(infra!);
      const summaries = [];
      for (const tenantId of 'all' in a ? await audit.chains() : [a.tenantId]) {
        const r = await audit.verify(tenantId);
        if (!r.ok) {
          const b = r.broken;
          throw new BrokenChainError(`audit chain ${r.chain} is broken at entry seq ${b.seq}${b.id ? ` (id ${b.id})` : ''}: ${b.reason}: ${b.detail}`);
        }
        summaries.push({ chain: r.chain, entries: r.entries, head_seq: r.head.seq, head_hash: r.head.hash, pruned_through: r.pruned_through });
      }
      return 'all' in a ? { ok: true, chains: summaries } : { ok: true, ...summaries[0]! };
    },
  }),
  'audit export': command({
    usage: 'audit export --from DATE --to DATE [--tenant ID|operator]  (JSON lines, entries with from <= time < to)',
    needsDb: true,
    parse(argv) {
      const { values } = flags(argv, { from: { type: 'string' }, to: { type: 'string' }, tenant: { type: 'string' } });
      const from = instant(values.from, 'from');
      const to = instant(values.to, 'to');
      if (to <= from) throw new UsageError('--to must be after --from');
      // Dates go over the admin socket as JSON: keep them as text until run.
      return { from: from.toISOString(), to: to.toISOString(), ...(values.tenant === undefined ? {} : { tenantId: tenantOf(values.tenant) }) };
    },
    run: (a, infra) => Promise.resolve({ lines: cliAudit(infra!).export(new Date(a.from), new Date(a.to), a.tenantId) }),
  }),
};
