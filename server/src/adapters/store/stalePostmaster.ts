import { readFile, readlink, realpath, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * A `kill -9` of the server leaves the embedded PostgreSQL running on its own (it runs in its own
 * process group so that a Ctrl-C reaches the server first), holding `postmaster.pid`; the next
 * start would die on that lock file. Before starting, look at the lock file: a live postmaster that
 * is provably ours (a `postgres` binary whose working directory is this data directory — the
 * postmaster chdirs there) is stopped (fast shutdown, then immediate); a lock file naming a process
 * that is not a postmaster of this directory is removed. Anything we cannot prove is left alone,
 * and PostgreSQL's own check then says what is wrong.
 */
export type StaleOutcome = 'none' | 'stopped' | 'removed' | 'left';

export interface StaleOptions {
  /** Wait this long for a fast shutdown before an immediate one, ms. */
  fastMs?: number;
  log(msg: string): void;
}

export async function clearStalePostmaster(dataDir: string, o: StaleOptions): Promise<StaleOutcome> {
  const lock = path.join(dataDir, 'postmaster.pid');
  const text = await readFile(lock, 'utf8').catch(() => null);
  if (text === null) return 'none';
  const pid = Number(text.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return 'left';
  if (!alive(pid)) return 'none'; // PostgreSQL replaces a lock file whose process is gone
  const ours = await isPostmasterOf(pid, dataDir);
  if (ours === null) return 'left';
  if (!ours) {
    // A live process that is not a postmaster of this directory took the recorded pid (a reboot,
    // a container restart): the lock file is stale. PostgreSQL would refuse to start on it.
    await rm(lock, { force: true });
    o.log(`removed stale postmaster.pid (pid ${pid} is not a PostgreSQL of ${dataDir})`);
    return 'removed';
  }
  o.log(`stopping the embedded PostgreSQL (pid ${pid}) left running by a previous run that did not stop cleanly`);
  process.kill(pid, 'SIGINT');
  if (!(await gone(pid, o.fastMs ?? 20_000))) {
    process.kill(pid, 'SIGQUIT');
    if (!(await gone(pid, 10_000))) throw new Error(`the PostgreSQL left running on ${dataDir} (pid ${pid}) does not stop`);
  }
  return 'stopped';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** true: a `postgres` process working in `dataDir`; false: provably not; null: cannot tell. */
async function isPostmasterOf(pid: number, dataDir: string): Promise<boolean | null> {
  try {
    const [exe, cwd, dir] = await Promise.all([readlink(`/proc/${pid}/exe`), realpath(`/proc/${pid}/cwd`), realpath(dataDir)]);
    return path.basename(exe) === 'postgres' && cwd === dir;
  } catch (err) {
    // ENOENT: it ended meanwhile; EACCES: another user's process we may not inspect.
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? false : null;
  }
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
