import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** `main.ts` running as its own process (in its own process group), as `npm start` runs it. */
export interface ServerProcess {
  child: ChildProcess;
  /** Everything it printed on stdout so far (pino JSON lines and the banner). */
  stdout(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

export function spawnServer(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    detached: true,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', SIM_VEHICLES: '0', LOG_LEVEL: 'info', OSM_GRAPH: '', MAP_CENTER: '', SEED_DEMO: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, stdout: () => out, exited };
}

/** Waits for the banner; rejects with what the process printed if it ends or takes too long first. */
export async function waitRunning(p: ServerProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!/Lifeline is running/.test(p.stdout())) {
    if (p.child.exitCode !== null || p.child.signalCode !== null || Date.now() > deadline) {
      throw new Error(`server did not start (exit ${p.child.exitCode ?? p.child.signalCode ?? 'none'}):\n${p.stdout().slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ends the process group with SIGKILL if still alive (test cleanup). */
export function killGroup(p: ServerProcess | null): void {
  if (!p?.child.pid || p.child.exitCode !== null || p.child.signalCode !== null) return;
  try {
    process.kill(-p.child.pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}
