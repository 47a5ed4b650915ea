/** The CLI as a real process against a real (in-process aedes) broker. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PositionMsgSchema, vehicleTopic } from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import { startBroker, type TestBroker } from './support/broker.ts';
import { Probe, waitForEvents } from './support/probe.ts';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');

function cli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: PKG,
    env: { ...process.env, MQTT_URL: '', MQTT_PREFIX: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as string | null }));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('cli: bad input', () => {
  it.each([
    [['--count', 'abc'], /--count must be an integer/],
    [['--center', 'nowhere'], /--center must be LAT,LNG/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('%j → exit 2 with a clear message', async (args, message) => {
    const run = cli(args);
    expect(await run.exited).toEqual({ code: 2, signal: null });
    expect(run.err()).toMatch(message);
    expect(run.err()).toMatch(/Usage: vehicle-agent/);
  });

  it('a malformed hospitals file → exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'va-'));
    const file = join(dir, 'hospitals.json');
    await writeFile(file, JSON.stringify([{ id: 'H1', name: 'No location' }]));
    const run = cli(['--hospitals', file, '--mqtt-url', 'mqtt://127.0.0.1:1']);
    expect(await run.exited).toEqual({ code: 2, signal: null });
    expect(run.err()).toMatch(/hospitals file .*location/);
  });
});

describe('cli: against a broker', () => {
  let tb: TestBroker;
  beforeAll(async () => {
    tb = await startBroker();
  });
  afterAll(async () => {
    await tb?.close();
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('publishes positions; %s → clean disconnect (no last will), exit 0', async (signal) => {
    const prefix = `cli/${signal}`;
    const probe = await Probe.connect(tb.url, [`${prefix}/vehicles/+/position`, `${prefix}/vehicles/+/status`, `${prefix}/marker`]);
    const dir = await mkdtemp(join(tmpdir(), 'va-'));
    const hospitals = join(dir, 'hospitals.json');
    await writeFile(hospitals, JSON.stringify([{ id: 'H1', name: 'BV', location: { lat: 10.98, lng: 106.65 } }]));
    const run = cli(
      ['--', '--count', '2', '--center', '10.98,106.65', '--radius-km', '1', '--id-prefix', 'CLI', '--interval-ms', '50', '--time-scale', '10', '--seed', '7', '--hospitals', hospitals],
      { MQTT_URL: tb.url, MQTT_PREFIX: prefix },
    );
    try {
      const valid = compileParser(PositionMsgSchema);
      for (const id of ['CLI-001', 'CLI-002']) {
        const t = vehicleTopic(prefix, id, 'position');
        await probe.waitFor(() => probe.on(t).length >= 3, `3 positions from ${id}`);
        for (const m of probe.on(t)) expect(valid.validate(m.json).ok).toBe(true);
      }
      const gone = new Set<string>();
      const disconnected = waitForEvents(tb.broker as never, 'clientDisconnect', (c: { id: string }) => {
        if (c.id.startsWith('lifeline-agent-CLI-')) gone.add(c.id);
        return gone.size === 2;
      }, 'both agents to disconnect');
      const from = probe.messages.length;
      run.child.kill(signal);
      expect(await run.exited).toEqual({ code: 0, signal: null });
      await disconnected;
      await probe.publish(`${prefix}/marker`, 1);
      await probe.waitFor((m) => m.topic === `${prefix}/marker`, 'marker round trip');
      const wills = probe.messages.slice(from).filter((m) => (m.json as { status?: string }).status === 'offline');
      expect(wills).toEqual([]);
      expect(run.out()).toMatch(/stopped 2 vehicles/);
    } finally {
      if (run.child.exitCode === null) (run.child as ChildProcess).kill('SIGKILL');
      await probe.close();
    }
  });
});
