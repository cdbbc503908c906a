// CPU time a process has used so far (user + system, all its threads), from /proc; undefined where there is none.
import fs from 'node:fs';

export function processCpuUs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/**
 * Nanoseconds a process's main thread has spent running and waiting on the run queue (ready, but no free core),
 * from /proc/<pid>/task/<pid>/schedstat; undefined where there is none. Wall time minus both is time it was blocked
 * (waiting for a request, the disk, a timer, a lock).
 */
export function mainThreadSchedNs(pid: number | undefined): { runNs: number; waitNs: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const [run, wait] = fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return run === undefined || wait === undefined ? undefined : { runNs: run, waitNs: wait };
  } catch {
    return undefined;
  }
}
