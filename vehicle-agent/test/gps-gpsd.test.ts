/**
 * gpsdSource against (1) a tiny local TCP peer that speaks gpsd's side of the protocol and
 * replays TPV/SKY reports recorded from gpsd itself (fixtures/nmea/*.chk) — always runs,
 * no daemon needed; (2) the real gpsd (Debian: apt-get install gpsd, 3.22) reading a real NMEA
 * log over tcp://, when the binary is installed; skipped otherwise. gpsd is started by the test
 * as a plain foreground process (-N), not as a system service.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { GPSD_BIN, noGpsd } from '@lifeline/testing';
import { gpsdSource, tpvToFix, type GpsdTpv } from '../src/gps/gpsdSource.ts';
import { decodeNmea } from '../src/gps/nmea.ts';
import type { GpsFix } from '../src/gps/types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = path.resolve(repoRoot, 'fixtures/nmea');
const DAY_MS = 86_400_000;

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** JSON report lines of a .chk (the raw NMEA echo removed). */
function reports(name: string): string[] {
  return readFileSync(path.join(dataDir, `${name}.log.chk`), 'latin1')
    .split(/\r?\n/)
    .filter((l) => l.startsWith('{'));
}

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

/** A peer that behaves like gpsd: banner, waits for ?WATCH, then sends `lines` and hangs up. */
async function fakeGpsd(lines: string[], options: { hangUp: boolean }) {
  const commands: string[] = [];
  const sockets = new Set<net.Socket>();
  let watchReceived!: () => void;
  const watched = new Promise<void>((resolve) => (watchReceived = resolve));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // the client resets the connection when it stops
    socket.write('{"class":"VERSION","release":"3.22","rev":"3.22","proto_major":3,"proto_minor":14}\r\n');
    let input = '';
    socket.on('data', (chunk) => {
      input += chunk.toString();
      if (!input.includes('\n')) return;
      commands.push(...input.split('\n').filter(Boolean));
      input = '';
      watchReceived();
      const text = ['{"class":"DEVICES","devices":[]}', '{"class":"WATCH","enable":true,"json":true}', ...lines].join('\r\n') + '\r\n';
      // Odd-sized writes so that reports straddle TCP segments.
      for (let i = 0; i < text.length; i += 97) socket.write(text.slice(i, i + 97));
      if (options.hangUp) socket.end();
    });
  });
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
  });
  const port = await listen(server);
  return { port, commands, sockets, watched };
}

describe('tpvToFix', () => {
  const base: GpsdTpv = { class: 'TPV', mode: 3, time: '2015-04-13T20:26:40.000Z', lat: 44.06884333, lon: -121.31419167, speed: 0.01, track: 12.5, altMSL: 1127.7 };
  it.each<[string, Partial<GpsdTpv>, Partial<GpsFix> | null]>([
    ['3D fix, status omitted = plain GNSS', {}, { fixMode: '3d', fixQuality: 1, recordedAtMs: Date.UTC(2015, 3, 13, 20, 26, 40), altitudeM: 1127.7, speedMps: 0.01, headingDeg: 12.5 }],
    ['2D fix without speed or track', { mode: 2, speed: undefined, track: undefined }, { fixMode: '2d', speedMps: null, headingDeg: null }],
    ['DGPS', { status: 2 }, { fixQuality: 2 }],
    ['RTK fixed', { status: 3 }, { fixQuality: 4 }],
    ['dead reckoning', { status: 5 }, { fixQuality: 6 }],
    ['old gpsd: alt only', { altMSL: undefined, alt: 12 }, { altitudeM: 12 }],
    ['no fix', { mode: 1 }, null],
    ['mode not seen', { mode: 0 }, null],
    ['simulated (Garmin demo mode)', { status: 8 }, null],
    ['time only', { status: 7 }, null],
    ['no time', { time: undefined }, null],
    ['unparseable time', { time: 'yesterday' }, null],
    ['latitude 91', { lat: 91 }, null],
    ['latitude missing', { lat: undefined }, null],
  ])('%s', (_name, patch, expected) => {
    const fix = tpvToFix({ ...base, ...patch }, { satellites: 9, hdop: 0.8 });
    if (expected === null) expect(fix).toBeNull();
    else expect(fix).toMatchObject({ lat: 44.06884333, lng: -121.31419167, satellites: 9, hdop: 0.8, ...expected });
  });
});

describe('gpsdSource against a local peer replaying gpsd reports', () => {
  it('sends ?WATCH and turns every TPV fix of mt3339 into a GpsFix, with satellites from SKY', async () => {
    const lines = reports('mt3339');
    const peer = await fakeGpsd(lines, { hangUp: true });
    const source = gpsdSource({ port: peer.port });
    const fixes: GpsFix[] = [];
    // The peer hangs up after the last report: the iteration delivers everything, then throws.
    await expect(
      (async () => {
        for await (const fix of source) fixes.push(fix);
      })(),
    ).rejects.toThrow(/closed the connection/);

    expect(peer.commands).toEqual(['?WATCH={"enable":true,"json":true};']);
    const tpvs = lines.map((l) => JSON.parse(l)).filter((r) => r.class === 'TPV' && r.mode >= 2 && r.time);
    expect(tpvs.length).toBe(30);
    expect(fixes.map((f) => [new Date(f.recordedAtMs).toISOString(), f.lat, f.lng, f.speedMps, f.headingDeg, f.altitudeM, f.fixMode])).toEqual(
      tpvs.map((t) => [t.time, t.lat, t.lon, t.speed ?? null, t.track ?? null, t.alt ?? null, '3d']),
    );
    // The MT3339 had a DGPS fix (gpsd status 2 = GGA quality 2).
    expect(new Set(fixes.map((f) => f.fixQuality))).toEqual(new Set([2]));
    // This old gpsd sends SKY without uSat: satellites are counted from the "used" flags.
    const firstSky = JSON.parse(lines.find((l) => l.includes('"class":"SKY"'))!);
    const afterSky = fixes.find((f) => f.satellites !== null)!;
    expect(afterSky).toMatchObject({ satellites: firstSky.satellites.filter((s: { used: boolean }) => s.used).length, hdop: firstSky.hdop });
    expect(source.version).toMatchObject({ release: '3.22', proto_major: 3 });
    expect(source.stats).toMatchObject({ tpv: lines.filter((l) => l.includes('"class":"TPV"')).length, fixes: 30, rejected: 0 });
  });

  it('gives no fix for a receiver in demo mode (garmin-geko201: status 8 or no time)', async () => {
    const lines = reports('garmin-geko201');
    const peer = await fakeGpsd(lines, { hangUp: true });
    const source = gpsdSource({ port: peer.port });
    const fixes: GpsFix[] = [];
    await expect(
      (async () => {
        for await (const fix of source) fixes.push(fix);
      })(),
    ).rejects.toThrow();
    expect(fixes).toEqual([]);
    expect(source.stats.noFix).toBe(source.stats.tpv);
    expect(source.stats.tpv).toBeGreaterThan(20);
  });

  it('counts garbage lines and carries on', async () => {
    const tpv = reports('bu353s4').find((l) => l.includes('"mode":3') && l.includes('"time"'))!;
    const peer = await fakeGpsd(['not json', '[1,2]', '{"no":"class"}', tpv], { hangUp: false });
    const source = gpsdSource({ port: peer.port });
    for await (const fix of source) {
      expect(fix.lat).toBe(JSON.parse(tpv).lat);
      break; // leaving the loop stops the source
    }
    expect(source.stats.rejected).toBe(3);
    await new Promise<void>((resolve) => {
      if (peer.sockets.size === 0) resolve();
      else for (const s of peer.sockets) s.once('close', () => resolve());
    });
  });

  it('stop() ends the iteration and closes the connection', async () => {
    const peer = await fakeGpsd([], { hangUp: false });
    const source = gpsdSource({ port: peer.port });
    const iteration = (async () => {
      const got: GpsFix[] = [];
      for await (const fix of source) got.push(fix);
      return got;
    })();
    await peer.watched;
    await source.stop();
    await expect(iteration).resolves.toEqual([]);
  });

  it('a refused connection makes iteration throw', async () => {
    const source = gpsdSource({ port: await freePort() });
    await expect(source[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

const GPSD = GPSD_BIN;
const noGpsdHere = noGpsd();

describe.skipIf(noGpsdHere)('gpsdSource against the real gpsd', () => {
  it('reads gpsd fed with the bu353s4 log over tcp:// and agrees with our NMEA decoder', async () => {
    // gpsd reads its "device" from this feeder: one NMEA sentence every 5 ms, looping.
    const lines = readFileSync(path.join(dataDir, 'bu353s4.log'), 'latin1').split(/\r?\n/).filter((l) => l.startsWith('$'));
    const feeder = net.createServer((socket) => {
      let i = 0;
      const timer = setInterval(() => socket.write(`${lines[i++ % lines.length]}\r\n`), 5);
      socket.on('close', () => clearInterval(timer));
      socket.on('error', () => clearInterval(timer));
      cleanups.push(() => void socket.destroy());
    });
    const feedPort = await listen(feeder);
    const gpsdPort = await freePort();

    // -N foreground, -n open the device without waiting for a client, -b read-only (never reconfigure it).
    const gpsd = spawn(GPSD!, ['-N', '-n', '-b', '-S', String(gpsdPort), `tcp://127.0.0.1:${feedPort}`], { stdio: 'ignore' });
    const exited = new Promise((resolve) => gpsd.once('exit', resolve));
    cleanups.push(async () => {
      gpsd.kill('SIGTERM');
      await exited;
    });
    await waitForPort(gpsdPort, 10_000);

    const source = gpsdSource({ port: gpsdPort });
    const fixes: GpsFix[] = [];
    for await (const fix of source) {
      fixes.push(fix);
      if (fixes.length === 10) break;
    }
    expect(source.version?.release).toMatch(/^3\./);

    const ours = decodeNmea(lines.join('\n')).fixes;
    const byTimeOfDay = new Map(ours.map((f) => [f.recordedAtMs % DAY_MS, f]));
    for (const f of fixes) {
      const o = byTimeOfDay.get(f.recordedAtMs % DAY_MS);
      expect(o, new Date(f.recordedAtMs).toISOString()).toBeDefined();
      // gpsd moves this 2014 capture forward by 1024 GPS weeks (see nmea-conformance.test.ts).
      expect([0, 1024 * 7 * DAY_MS]).toContain(f.recordedAtMs - o!.recordedAtMs);
      expect(Math.abs(f.lat - o!.lat)).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(f.lng - o!.lng)).toBeLessThanOrEqual(1e-9);
      expect(Math.abs(f.speedMps! - o!.speedMps!)).toBeLessThanOrEqual(0.001);
      expect(f.fixMode).toBe(o!.fixMode);
      expect(f.altitudeM).toBeCloseTo(o!.altitudeM!, 3);
    }
  });
});

/** Resolves once something accepts connections on the port (gpsd takes a moment to start). */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
