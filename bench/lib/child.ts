import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A TypeScript module run in its own process (so load generator, server and measurer do not share
 * an event loop), spoken to with request/reply messages over IPC.
 */
export class Child {
  readonly proc: ChildProcess;
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private exited: Promise<number | null>;

  constructor(file: string, env: Record<string, string> = {}) {
    this.proc = fork(file, [], {
      cwd: REPO_ROOT,
      // BENCH_PROF=<dir> writes a V8 CPU profile of every child (for finding hot paths).
      execArgv: ['--import', 'tsx', ...(process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [])],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (m: any) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(`${file}: ${m.error}`));
      else p.resolve(m.result);
    });
    this.exited = new Promise((resolve) =>
      this.proc.on('exit', (code) => {
        for (const p of this.pending.values()) p.reject(new Error(`${file} exited with ${code}`));
        this.pending.clear();
        resolve(code);
      }),
    );
  }

  request<T = any>(type: string, args: unknown = {}, timeoutMs = 600_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${type}: no reply within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(t);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      this.proc.send({ id, type, args });
    });
  }

  /** Asks the child to stop, and kills it (this child only) if it has not exited in 10 s. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    await this.request('stop', {}, 30_000).catch(() => undefined);
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(t);
  }
}

/** The child side: answers requests with the handlers given; `stop` runs `onStop` and exits. */
export function serve(handlers: Record<string, (args: any) => Promise<unknown> | unknown>, onStop: () => Promise<void> = async () => undefined): void {
  process.on('message', async (m: { id: number; type: string; args: unknown }) => {
    if (m.type === 'stop') {
      await onStop().catch(() => undefined);
      process.send!({ id: m.id, result: true }, () => process.exit(0));
      return;
    }
    const h = handlers[m.type];
    try {
      if (!h) throw new Error(`unknown request ${m.type}`);
      process.send!({ id: m.id, result: await h(m.args) });
    } catch (err) {
      process.send!({ id: m.id, error: (err as Error).stack ?? String(err) });
    }
  });
  // Never outlive the parent.
  process.on('disconnect', () => process.exit(0));
}
