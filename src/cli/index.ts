// `kycport <command>`: admin CLI on the server's own config. Prints one JSON object on stdout;
// usage errors go to stderr with exit code 2, other failures exit 1 (outcome.ts). `help` prints the usage (exit 0).
import { once } from 'node:events';
import { loadConfig } from '../config.js';
import { DatabaseInUseError } from '../db/index.js';
import { setLogLevel } from '../log.js';
import { ownerOnlyUmask } from '../file-modes.js';
import { openInfra, type Infra } from '../infra.js';
import { forwardToServer } from './admin-socket.js';
import { isLines } from './args.js';
import { commands } from './commands.js';
import { failure, type Outcome } from './outcome.js';
import { API_KEY_ENV, serveStdio } from '../mcp/stdio.js';

function usage(): string {
  return `Usage: kycport <command> [options]\n\nCommands:\n${Object.values(commands)
    .map((c) => `  ${c.usage}`)
    .join('\n')}\n  mcp    (MCP server on stdin/stdout for an AI assistant; the API key in ${API_KEY_ENV}, never an argument)\n`;
}

async function main(argv: string[]): Promise<Outcome> {
  ownerOnlyUmask();
  setLogLevel('warn');
  const help = (a: string | undefined) => a === 'help' || a === '--help' || a === '-h';
  if (help(argv[0])) return { code: 0, stdout: usage() };
  // stdout is the protocol's: no JSON line of ours. The key comes from the environment, so `ps` never shows it.
  if (argv[0] === 'mcp') {
    if (argv.length > 1) return help(argv[1]) ? { code: 0, stdout: `Usage: ${API_KEY_ENV}=kp_live_… kycport mcp\n` } : { code: 2, stderr: `kycport mcp takes no arguments; put the API key in ${API_KEY_ENV}.\n` };
    return serveStdio(loadConfig(), process.env[API_KEY_ENV]).catch((err: unknown) => failure(err));
  }
  const name = [argv.slice(0, 3).join(' '), argv.slice(0, 2).join(' '), argv[0]].find((n) => n && commands[n]);
  if (!name) return { code: 2, stderr: `${argv.length ? `Unknown command: ${argv.join(' ')}` : 'No command given.'}\n\n${usage()}` };
  const command = commands[name]!;
  if (argv.some((a) => a === '--help' || a === '-h')) return { code: 0, stdout: `Usage: kycport ${command.usage}\n` };
  let infra: Infra | undefined;
  try {
    const args = command.parse(argv.slice(name.split(' ').length));
    const config = loadConfig();
    try {
      if (command.needsDb) infra = await openInfra(config);
    } catch (err) {
      // A server runs on the embedded database: let it run the command.
      const forwarded = err instanceof DatabaseInUseError ? await forwardToServer(config.dataDir, name, args) : undefined;
      if (forwarded) return forwarded;
      throw err;
    }
    const out = await command.run(args, infra, { keysDir: config.keysDir });
    if (isLines(out)) {
      // Streamed while the database is open (an export can be long); nothing is left to print after.
      for await (const line of out.lines) if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
      return { code: 0 };
    }
    return { code: 0, stdout: `${JSON.stringify(out)}\n` };
  } catch (err) {
    return failure(err, command.usage);
  } finally {
    await infra?.close();
  }
}

main(process.argv.slice(2)).then(
  ({ code, stdout, stderr }) => {
    if (stdout) process.stdout.write(stdout);
    if (stderr) process.stderr.write(stderr);
    process.exit(code);
  },
  // main() turns command failures into outcomes; what is left (closing the database) is a failure too.
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
