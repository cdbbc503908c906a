// Owner-only files. Everything KYCPort writes under DATA_DIR and KEYS_DIR (the embedded database and its
// write-ahead log, sealed uploads, the mail spool, keys) is for this process's user alone: the umask makes new
// files 0600 and directories 0700, and a start-up pass tightens what was left wider (an older version, an
// operator's copy, or PGlite's template, which it extracts as 0666 whatever the umask).
import fs from 'node:fs';
import path from 'node:path';
import { log } from './log.js';

/** Every entry point calls this first: new files 0600, new directories 0700. */
export function ownerOnlyUmask(): void {
  process.umask(0o077);
}

export interface ModeReport {
  /** Entries (files, directories) whose group/other bits were removed. */
  tightened: number;
  /** Entries with group/other bits this process may not change (owned by another user): left, reported. */
  foreign: string[];
}

/**
 * Creates `dir` (0700) if missing, then removes the group/other bits of every entry under it that this user owns.
 * Symlinks are not followed. Fixing rather than only warning: no other user has a reason to read these files,
 * and a warning alone would leave an upgraded installation's tokens and hashes readable until someone acts.
 */
export function tightenTree(dir: string): ModeReport {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const report: ModeReport = { tightened: 0, foreign: [] };
  const uid = process.getuid?.();
  const visit = (p: string) => {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st || st.isSymbolicLink()) return;
    if (st.mode & 0o077) {
      if (uid === undefined || st.uid === uid) {
        fs.chmodSync(p, st.mode & 0o700);
        report.tightened++;
      } else if (report.foreign.length < 20) {
        report.foreign.push(p);
      }
    }
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  visit(dir);
  return report;
}

/** Server start: DATA_DIR and KEYS_DIR owner-only, with a warning for whatever had to be tightened or could not be. */
export function secureDataDirs(dirs: { dataDir: string; keysDir: string }): void {
  for (const dir of new Set([dirs.dataDir, dirs.keysDir])) {
    const { tightened, foreign } = tightenTree(dir);
    if (tightened) log.warn('files were readable by group/other; made owner-only (0600 files, 0700 directories)', { dir, entries: tightened });
    if (foreign.length) log.warn('files readable by group/other are owned by another user; fix their modes', { dir, files: foreign });
  }
}
