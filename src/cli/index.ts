// `kycport <command>`: admin CLI on the server's own config. Prints one JSON object on stdout;
// usage errors go to stderr with exit code 2, other failures exit 1.
import { ConfigError, loadConfig } from '../config.js';
import { DatabaseInUseError } from '../db/index.js';
import { ApiError } from '../http/errors.js';
import { setLogLevel } from '../log.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { UsageError } from './args.js';
import { commands } from './commands.js';

function usage(): string {
  return `Usage: kycport <command> [options]\n\nCommands:\n${Object.values(commands)
    .map((c) => `  ${c.usage}`)
    .join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  setLogLevel('warn');
  const name = [`${argv[0]} ${argv[1]}`, argv[0]].find((n) => n && commands[n]);
  if (!name) {
    process.stderr.write(argv.length && argv[0] !== '--help' ? `Unknown command: ${argv.join(' ')}\n\n${usage()}` : usage());
    return 2;
  }
  const command = commands[name]!;
  const rest = argv.slice(name.split(' ').length);
  let rt: Runtime | undefined;
  try {
    const args = command.parse(rest);
    const config = loadConfig();
    if (command.needsDb) rt = await openRuntime(config);
    const out = await command.run(args, rt, { keysDir: config.keysDir });
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\nUsage: kycport ${command.usage}\n`);
      return 2;
    }
    // A 4xx from the domain (unknown tenant, taken email, bad URI) is a bad argument too.
    if (err instanceof ApiError && err.status < 500) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    if (err instanceof ConfigError || err instanceof DatabaseInUseError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    process.stderr.write(`Failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await rt?.close();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
