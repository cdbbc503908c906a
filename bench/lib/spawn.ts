// Starts a server as a child process (so load generator and server don't share an event loop) and waits for it.
import { spawn, type ChildProcess } from 'node:child_process';

// freePort lives with the shared helpers in test/support (see its README); re-exported for the benches.
export { freePort } from '../../test/support/net.js';

/** `env` adds to this process's environment; an undefined value removes that variable. */
export async function startProcess(script: string, env: Record<string, string | undefined>, readyUrl: string, timeoutMs = 60_000, nodeArgs: string[] = []): Promise<ChildProcess> {
  const merged: Record<string, string | undefined> = { ...process.env, ...env, LOG_LEVEL: 'warn' };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    env: merged,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${script} exited: ${stderr.slice(-2000)}`);
    try {
      const res = await fetch(readyUrl);
      if (res.status < 500) return child;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`${script} did not become ready: ${stderr.slice(-2000)}`);
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}
