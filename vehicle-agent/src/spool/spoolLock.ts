import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const LOCK = 'spool.lock';

/** Another live agent holds the spool directory. */
export class SpoolLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`spool directory ${dir} is in use by another vehicle agent (pid ${pid}); stop it, or give this agent its own --spool-dir`);
    this.name = 'SpoolLockedError';
  }
}

/**
 * An exclusive lock on a spool directory: `spool.lock` created with O_EXCL, holding our pid. A lock
 * whose pid is no longer running (the last agent was killed) is stale and taken over. Two agents on
 * one spool would interleave their logs and confirm each other's positions.
 * Returns the release function (removes the lock file).
 */
export function lockSpoolDir(dir: string): () => void {
  const file = join(dir, LOCK);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        if (holder(file) === process.pid) unlinkSync(file);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const pid = holder(file);
    // A pid we cannot read (empty file from a crash between create and write) counts as stale.
    if (pid !== null && alive(pid)) throw new SpoolLockedError(dir, pid);
    try {
      unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

function holder(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
