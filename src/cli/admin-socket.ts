// The embedded database belongs to one process, so while a server runs on it the CLI cannot open it. Instead
// the server listens on a Unix socket next to the database (mode 0600: only the user who may read the database
// files may use it) and runs the CLI's already-parsed command on its own runtime; the CLI prints the answer as if
// it had run the command itself. One JSON line each way per connection.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Infra } from '../infra.js';
import { log } from '../log.js';
import { isLines, type CliEnv } from './args.js';
import { commands } from './commands.js';
import { failure, type Outcome } from './outcome.js';

// Linux keeps socket paths in 108 bytes (sun_path), NUL included.
const MAX_SOCKET_PATH = 107;
const MAX_REQUEST_BYTES = 64 * 1024;

export function adminSocketPath(dataDir: string): string {
  return path.join(dataDir, 'admin.sock');
}

interface Request {
  command: string;
  args: unknown;
}

/** Serves CLI commands for the process that holds the embedded database. */
export async function serveAdminSocket(infra: Infra, env: CliEnv): Promise<{ close(): Promise<void> }> {
  const file = path.resolve(adminSocketPath(infra.config.dataDir));
  if (Buffer.byteLength(file) > MAX_SOCKET_PATH) {
    log.warn('admin socket path too long; stop the server to use the CLI', { path: file });
    return { close: () => Promise.resolve() };
  }
  // We hold the database lock, so a socket file left here belongs to a process that died.
  fs.rmSync(file, { force: true });
  // The server has migrated already: a forwarded `migrate` applies nothing.
  const served: Infra = { ...infra, migrations: [] };
  const server = net.createServer((socket) => {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.length > MAX_REQUEST_BYTES) return socket.destroy();
      const end = buffered.indexOf('\n');
      if (end < 0) return;
      socket.removeAllListeners('data');
      void answer(buffered.slice(0, end)).then((outcome) => socket.end(`${JSON.stringify(outcome)}\n`));
    });
  });

  async function answer(line: string): Promise<Outcome> {
    try {
      const req = JSON.parse(line) as Request;
      const command = commands[req.command];
      if (!command?.needsDb) return { code: 2, stderr: `Not a database command: ${String(req.command)}\n` };
      log.info('admin command', { command: req.command });
      const out = await command.run(req.args, served, env);
      if (!isLines(out)) return { code: 0, stdout: `${JSON.stringify(out)}\n` };
      // One answer line per connection: JSON lines come back joined (the socket serves one operator at a time).
      let stdout = '';
      for await (const line of out.lines) stdout += `${line}\n`;
      return { code: 0, stdout };
    } catch (err) {
      return failure(err);
    }
  }

  // Created 0600 from the start (umask), so there is no moment when others could connect.
  const oldMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(file, resolve));
  } finally {
    process.umask(oldMask);
  }
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        fs.rmSync(file, { force: true });
      }),
  };
}

/** Runs a parsed command in the server that holds the embedded database; undefined when none answers. */
export async function forwardToServer(dataDir: string, command: string, args: unknown): Promise<Outcome | undefined> {
  const file = path.resolve(adminSocketPath(dataDir));
  return new Promise((resolve, reject) => {
    let reply = '';
    const socket = net.createConnection(file, () => socket.write(`${JSON.stringify({ command, args } satisfies Request)}\n`));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      ['ENOENT', 'ECONNREFUSED'].includes(err.code ?? '') ? resolve(undefined) : reject(err),
    );
    socket.on('end', () => {
      try {
        resolve(JSON.parse(reply) as Outcome);
      } catch {
        reject(new Error('the running server gave no answer'));
      }
    });
  });
}
