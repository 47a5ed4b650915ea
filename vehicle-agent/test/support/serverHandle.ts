/**
 * Handles for tests that kill the real server: the server as a child process (serverProcess.ts),
 * killable with SIGKILL, and a deterministic driving GPS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PositionMsg } from '@lifeline/protocol';
import { FixChannel } from '../../src/gps/fixChannel.ts';
import type { GpsFix, GpsSource } from '../../src/gps/types.ts';
import { startVehicleAgent } from '../../src/mqtt/vehicle-agent.ts';
import { killChild } from '../../../server/test/helpers.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const ENTRY = join(ROOT, 'vehicle-agent', 'test', 'support', 'serverProcess.ts');

/** A deterministic GPS: a fix every `everyMs`, heading north at 10 m/s from `start`. */
export function drivingSource(start: { lat: number; lng: number }, everyMs = 40) {
  const ch = new FixChannel<GpsFix>(10_000, () => {});
  let lat = start.lat;
  const timer = setInterval(() => {
    lat += (10 * everyMs) / 1000 / 111_195;
    ch.push({ recordedAtMs: Date.now(), lat, lng: start.lng, speedMps: 10, headingDeg: 0, altitudeM: null, fixMode: '3d', fixQuality: 1, satellites: 9, hdop: 1 });
  }, everyMs);
  const source: GpsSource = { [Symbol.asyncIterator]: () => ch[Symbol.asyncIterator](), stop: async () => (clearInterval(timer), ch.end()) };
  return { source, pause: () => clearInterval(timer) };
}

/** The server as a child process (support/serverProcess.ts), killable with SIGKILL. */
export class ServerProcess {
  private child: ChildProcess | null = null;
  url = '';
  constructor(private readonly env: Record<string, string>) {}

  async start(writerDelayMs: number): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, TEST_WRITER_DELAY_MS: String(writerDelayMs) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.child = child;
    const [ready] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => Promise.reject(new Error(`server exited with ${code} before it was ready`))),
    ])) as [{ type: string; url: string }];
    this.url = ready.url;
  }

  /** The writer's rows held in memory (acked to the broker, not committed) and rows written. */
  async writer(): Promise<{ queued: number; written: number }> {
    const child = this.child!;
    const reply = once(child, 'message') as Promise<[{ queued: number; written: number }]>;
    child.send('writer');
    return (await reply)[0];
  }

  async kill9(): Promise<void> {
    await killChild(this.child);
    this.child = null;
  }
}

/**
 * A real agent driving north from `start`, reporting every fix; `published` records every position
 * it published. No resend round by timer within a test: what a killed server lost must come back
 * because the agent noticed the new server run, not because a timer re-sent everything.
 */
export async function startDrivingAgent(o: { id: string; start: { lat: number; lng: number }; brokerUrl: string; prefix: string; everyMs?: number }) {
  const dir = await mkdtemp(join(tmpdir(), 'kill-agent-'));
  const drive = drivingSource(o.start, o.everyMs);
  const published: PositionMsg[] = [];
  const agent = await startVehicleAgent({
    id: o.id,
    source: drive.source,
    mqtt: { url: o.brokerUrl },
    spoolDir: dir,
    prefix: o.prefix,
    policy: { movingIntervalMs: 0, parkedIntervalMs: 0, minIntervalMs: 0 },
    forwarding: { probeEveryMs: 300, resendAfterMs: 120_000 },
  });
  agent.events.on('position', (p) => published.push(p));
  return { agent, drive, published, dir };
}
