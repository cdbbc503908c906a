// `kycport lists …`: import sanctions/PEP list files and show what is loaded. A running server notices new
// lists on its next screening (the index is rebuilt when the stored lists change).
import path from 'node:path';
import { importListFile } from '../screening/import.js';
import { listLists } from '../screening/store.js';
import { LIST_FORMATS, type ListFormat } from '../screening/types.js';
import { command, flags, UsageError, type Command } from './args.js';
import { cliActor, cliAudit } from './audit.js';

export const listsCommands: Record<string, Command> = {
  'lists import': command({
    usage: 'lists import FILE [--format ftm|ofac-sdn] [--name LIST] [--alt ALT.CSV]',
    needsDb: true,
    parse(argv) {
      const { values, positionals } = flags(argv, { format: { type: 'string' }, name: { type: 'string' }, alt: { type: 'string' } });
      if (positionals.length !== 1) throw new UsageError('exactly one FILE is required');
      const format = values.format as ListFormat | undefined;
      if (format !== undefined && !LIST_FORMATS.includes(format)) {
        throw new UsageError(`--format must be one of: ${LIST_FORMATS.join(', ')}`);
      }
      return {
        file: path.resolve(positionals[0]!),
        format,
        name: values.name?.trim() || undefined,
        altPath: values.alt ? path.resolve(values.alt) : undefined,
      };
    },
    run: ({ file, ...opts }, infra) =>
      importListFile(infra!.db, file, {
        ...opts,
        clock: infra!.clock,
        // On the operator's chain, in the import's transaction (an unchanged file writes nothing and no entry).
        onImported: (trx, r) =>
          cliAudit(infra!).record(
            { tenantId: null, actor: cliActor(), action: 'sanctions_list.imported', object: { type: 'sanctions_list', id: r.list }, details: { format: r.format, file: r.file, sha256: r.sha256, entries: r.entries, replaced_previous: r.replaced_previous } },
            trx,
          ),
      }),
  }),
  'lists show': command({
    usage: 'lists show',
    needsDb: true,
    parse: (argv) => void flags(argv, {}),
    async run(_args, infra) {
      const lists = await listLists(infra!.db.knex);
      return {
        lists: lists.map((l) => ({
          name: l.name,
          format: l.format,
          source_file: l.sourceFile,
          sha256: l.sourceFileSha256,
          imported_at: l.importedAt.toISOString(),
          entries: l.entryCount,
        })),
      };
    },
  }),
};
