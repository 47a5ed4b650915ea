import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Vehicle } from '@lifeline/protocol';
import { api, waitFor } from '../helpers.ts';
import { connectUnit } from './mqttHelpers.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/** `npm start` as a user runs it, with no MQTT settings: authentication on, and the demo fleet still drives. */
describe('the default demo (main.ts, SIM_VEHICLES=3)', () => {
  let child: ChildProcess | null = null;
  let dataDir = '';
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('provisions its simulated units: all 3 report positions, anonymous clients are refused', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'lifeline-demo-'));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', DATA_DIR: dataDir, SIM_VEHICLES: '3', LOG_LEVEL: 'warn' };
    for (const k of ['DATABASE_URL', 'MQTT_URL', 'MQTT_AUTH', 'REDIS_URL', 'DEMO_USERS', 'INSTANCE_ID']) delete env[k];
    child = spawn(process.execPath, ['--import', 'tsx', MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const [, url] = await waitFor(() => /Lifeline is running: (http:\/\/\S+)/.exec(out), 'the server to print its address', 60_000, 100);
    const mqttUrl = /MQTT broker: (mqtt:\/\/\S+)/.exec(out)![1]!;
    expect(out).not.toMatch(/ANONYMOUS/);

    await expect(connectUnit(mqttUrl, null)).rejects.toThrow(/Not authorized/i);
    const logins = JSON.parse(await readFile(path.join(dataDir, 'demo-logins.json'), 'utf8')) as { username: string; password: string; role: string }[];
    const dispatcher = logins.find((l) => l.role === 'dispatcher')!;
    const token = (await api<{ token: string }>(url!, 'POST', '/api/auth/login', { username: dispatcher.username, password: dispatcher.password }, null)).body.token;
    const reporting = await waitFor(
      async () => {
        const units = (await api<Vehicle[]>(url!, 'GET', '/api/vehicles', undefined, token)).body;
        const withFix = units.filter((u) => ['BD-001', 'BD-002', 'BD-003'].includes(u.id) && u.position);
        return withFix.length === 3 ? withFix : null;
      },
      'positions from all 3 simulated units',
      30_000,
      200,
    );
    expect(reporting.map((u) => u.id).sort()).toEqual(['BD-001', 'BD-002', 'BD-003']);
  });
});
