/**
 * The real vehicle agent against a real Mosquitto and the real server (embedded PostgreSQL): the
 * broker is killed and restarted while the agent keeps moving; the agent's link drops and the agent
 * process is killed with SIGKILL mid-outage; the crew works an incident from the panel in Chromium.
 *
 * The broker-restart test also restarts the server during the outage (nothing may be lost across a
 * server restart either); server/test/brokerOutage covers the server riding out an outage alone.
 * The other tests cut the agent's own link (a TCP relay) and leave broker and server alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium, noChromium, noMosquitto } from '@lifeline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, Vehicle } from '@lifeline/protocol';
import type { LifelineServer } from '../../server/src/server.ts';
import { api, TestEnv, waitFor } from '../../server/test/helpers.ts';
import { SpoolState } from '../src/core/spool.ts';
import { FixChannel } from '../src/gps/fixChannel.ts';
import type { GpsFix, GpsSource } from '../src/gps/types.ts';
import { startVehicleAgent, type VehicleAgent } from '../src/mqtt/vehicle-agent.ts';
import { replayLog } from '../src/spool/fileSpool.ts';
import { Link } from './support/link.ts';
import { Mosquitto } from './support/mosquitto.ts';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
const HOME = { lat: 10.98, lng: 106.65 };
const FAST = { movingIntervalMs: 0, parkedIntervalMs: 0, minIntervalMs: 0 }; // every fix is a report

/** A GPS source the test drives: a fix every `everyMs`, heading north at 10 m/s, device time = now. */
function drivingSource(everyMs = 40) {
  const ch = new FixChannel<GpsFix>(10_000, () => {});
  let lat = HOME.lat;
  let last: GpsFix | null = null;
  const timer = setInterval(() => {
    lat += (10 * everyMs) / 1000 / 111_195;
    last = { recordedAtMs: Date.now(), lat, lng: HOME.lng, speedMps: 10, headingDeg: 0, altitudeM: null, fixMode: '3d', fixQuality: 1, satellites: 9, hdop: 1 };
    ch.push(last);
  }, everyMs);
  const source: GpsSource = { [Symbol.asyncIterator]: () => ch[Symbol.asyncIterator](), stop: async () => (clearInterval(timer), ch.end()) };
  return { source, pause: () => clearInterval(timer), last: () => last };
}

async function rowsOf(server: LifelineServer, id: string) {
  const rows = await server.db.selectFrom('vehicle_positions').select(['seq', 'recorded_at', 'received_at']).where('vehicle_id', '=', id).execute();
  return rows.map((r) => ({ seq: Number(r.seq), recordedAtMs: r.recorded_at.getTime(), receivedAtMs: r.received_at.getTime() }));
}

async function readSpool(dir: string): Promise<SpoolState> {
  const s = new SpoolState();
  replayLog(await readFile(join(dir, 'spool.log')).catch(() => Buffer.alloc(0)), s);
  return s;
}

const noBroker = noMosquitto();
const noBrowser = noChromium();

describe.skipIf(noBroker)('vehicle agent: store-and-forward and crew panel, against Mosquitto and the server', () => {
  const broker = new Mosquitto();
  let link: Link;
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let prefix: string;
  const tmp: string[] = [];
  const agents: VehicleAgent[] = [];
  const children: ChildProcess[] = [];
  let browser: Browser | undefined;
  const tempDir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'agent-it-'));
    tmp.push(d);
    return d;
  };

  beforeAll(async () => {
    await broker.start();
    link = new Link(broker.port);
    await link.up();
    await env.setup();
    prefix = `lifeline-it-${env.id}/v1`;
    server = await env.start({ MQTT_URL: broker.url, MQTT_PREFIX: prefix });
  });
  afterAll(async () => {
    try {
      await browser?.close();
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      await link?.down();
      await Promise.all(agents.map((a) => a.stop()));
      await server?.stop();
      await broker.dispose();
    } finally {
      await env.teardown();
      for (const d of tmp) await rm(d, { recursive: true, force: true });
    }
  });

  it('broker down while driving: every position reaches the server exactly once, newest first, device times kept', async () => {
    const id = `SF-${env.id.slice(0, 4)}`;
    const drive = drivingSource();
    const published: { seq: number; ts: number }[] = [];
    const agent = await startVehicleAgent({
      id,
      source: drive.source,
      mqtt: { url: broker.url },
      spoolDir: await tempDir(),
      prefix,
      policy: FAST,
      forwarding: { probeEveryMs: 300, resendAfterMs: 5000 },
    });
    agents.push(agent);
    agent.events.on('position', (p) => published.push({ seq: p.seq, ts: p.ts }));
    await waitFor(() => agent.stats().confirmed >= 20, 'the first positions confirmed by the server');

    await broker.stop();
    const atOutage = published.length;
    await waitFor(() => !agent.snapshot().connected, 'the agent to notice the outage');
    await waitFor(() => published.length >= atOutage + 150, '150 positions spooled during the outage');
    expect(agent.snapshot().spool.positions).toBeGreaterThanOrEqual(150);

    let atReconnect = -1;
    agent.events.once('connect', () => (atReconnect = published.length));
    // Restart the server while the broker is down: nothing may be lost across that either.
    await server.stop();
    await broker.start();
    server = await env.start({ MQTT_URL: broker.url, MQTT_PREFIX: prefix });
    await waitFor(() => agent.snapshot().connected, 'the agent to reconnect', 15_000);
    const reconnectedAt = Date.now();
    const spoolBytes = agent.snapshot().spool.bytes;
    const beforeReconnect = published.slice(atOutage, atReconnect).map((p) => p.seq);
    drive.pause();
    await waitFor(() => agent.snapshot().spool.positions === 0, 'the spool to drain', 20_000);
    const last = published.at(-1)!;
    const drainMs = Date.now() - reconnectedAt;

    // A fix may go out before the listener above is attached: compare from the first one it saw.
    const rows = (await rowsOf(server, id)).filter((r) => r.seq >= published[0]!.seq);
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    expect(rows.length).toBe(published.length); // exactly once: nothing lost, nothing doubled
    expect(new Set(rows.map((r) => r.seq))).toEqual(new Set(published.map((p) => p.seq)));
    for (const p of published) expect(bySeq.get(p.seq)!.recordedAtMs).toBe(p.ts); // device time kept

    // After the outage the newest position reached the server first, then the backlog in order.
    const sinceOutage = new Set(published.slice(atOutage).map((p) => p.seq));
    const backlog = rows.filter((r) => sinceOutage.has(r.seq)).sort((a, b) => a.receivedAtMs - b.receivedAtMs || a.seq - b.seq);
    expect(backlog[0]!.seq).toBeGreaterThanOrEqual(Math.max(...beforeReconnect));
    const older = backlog.filter((r) => r.seq < Math.min(backlog[0]!.seq, Math.max(...beforeReconnect)));
    expect(older.map((r) => r.seq)).toEqual([...older.map((r) => r.seq)].sort((a, b) => a - b));

    // The live position is the newest fix.
    const v = await waitFor(async () => {
      const units = (await api<Vehicle[]>(server.url, 'GET', '/api/vehicles')).body;
      const u = units.find((x) => x.id === id);
      return u?.position && Date.parse(u.position.recordedAt) === last.ts ? u : null;
    }, 'the live position to be the newest fix');
    expect(v.position!.lat).toBeCloseTo(drive.last()!.lat, 6);
    console.log(`outage: ${beforeReconnect.length} positions spooled (log ${spoolBytes} bytes); drained ${drainMs} ms after reconnecting; ${rows.length} stored once each; stats ${JSON.stringify(agent.stats())}`);
    await agent.stop();
  });

  it('kill -9 of the agent mid-outage loses nothing spooled, and seqs never repeat', async () => {
    const id = `KL-${env.id.slice(0, 4)}`;
    const spoolDir = await tempDir();
    const run = () => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli.ts', 'agent', '--id', id, '--simulate', '--sim-interval-ms', '50', '--sim-speed-kmh', '30',
          '--moving-interval-ms', '0', '--parked-interval-ms', '0', '--min-interval-ms', '0', '--resend-after-ms', '5000',
          '--mqtt-url', link.url, '--prefix', prefix, '--spool-dir', spoolDir, '--no-panel'],
        { cwd: PKG, env: { ...process.env, MQTT_URL: '', MQTT_PREFIX: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d));
      child.stderr!.on('data', (d: Buffer) => (out += d));
      return { child, out: () => out };
    };
    const first = run();
    await waitFor(async () => (await rowsOf(server, id)).length >= 10, 'the first run to reach the server', 20_000);
    await link.down();
    const beforeOutage = new Set((await rowsOf(server, id)).map((r) => r.seq));
    await waitFor(async () => (await readSpool(spoolDir)).positions.filter((p) => !beforeOutage.has(p.seq)).length >= 60, '60 positions spooled in the outage', 20_000);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const spooled = (await readSpool(spoolDir)).positions;
    const firstRunMax = Math.max(...spooled.map((p) => p.seq));

    const second = run(); // still no broker: it spools on top of what the first run left
    await waitFor(async () => (await readSpool(spoolDir)).maxSeq > firstRunMax + 5, 'the second run to spool', 20_000);
    await link.up();
    await waitFor(async () => {
      const rows = new Set((await rowsOf(server, id)).map((r) => r.seq));
      return spooled.every((p) => rows.has(p.seq));
    }, 'every position spooled by the killed run to reach the server', 20_000);
    second.child.kill('SIGTERM');
    await once(second.child, 'exit');

    const rows = await rowsOf(server, id);
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    for (const p of spooled) expect(bySeq.get(p.seq)?.recordedAtMs).toBe(p.ts);
    // The second run's seqs start above everything the first run used or reserved.
    const secondRun = rows.filter((r) => r.seq > firstRunMax);
    expect(secondRun.length).toBeGreaterThan(0);
    const firstRunSeqs = rows.filter((r) => r.seq <= firstRunMax);
    expect(Math.max(...firstRunSeqs.map((r) => r.recordedAtMs))).toBeLessThanOrEqual(Math.min(...secondRun.map((r) => r.recordedAtMs)));
    console.log(`kill -9: ${spooled.length} positions in the spool at the kill, all stored; ${rows.length} rows`);
  });

  it.skipIf(noBrowser)('crew panel in Chromium: acknowledge and statuses change the incident, also when pressed offline', async () => {
    const id = `CP-${env.id.slice(0, 4)}`;
    const hospitals = (await api<{ id: string; name: string; location: { lat: number; lng: number } }[]>(server.url, 'GET', '/api/hospitals')).body;
    const drive = drivingSource(500);
    const agent = await startVehicleAgent({
      id,
      source: drive.source,
      mqtt: { url: link.url },
      spoolDir: await tempDir(),
      prefix,
      hospitals: hospitals.map(({ id, name, location }) => ({ id, name, location })),
      panel: { port: 0 },
      forwarding: { probeEveryMs: 300 },
    });
    agents.push(agent);
    await waitFor(async () => (await api<Vehicle[]>(server.url, 'GET', '/api/vehicles')).body.find((v) => v.id === id && v.online && v.status === 'available' && v.position), 'the unit online and available', 20_000);

    const created = await api(server.url, 'POST', '/api/incidents', {
      line: '115', callerPhone: '0901234567', location: { lat: HOME.lat + 0.01, lng: HOME.lng }, address: '12 Đại lộ Bình Dương', category: 'respiratory', priority: 1, notes: 'khó thở',
    });
    expect(created.status).toBe(201);
    const incidentId: string = created.body.incident.id;
    expect((await api(server.url, 'POST', `/api/incidents/${incidentId}/assign`, { vehicleId: id })).status).toBe(200);
    const incidentState = async () => (await api<Incident>(server.url, 'GET', `/api/incidents/${incidentId}`)).body.state;

    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(agent.panelUrl!);
    await page.getByText('12 Đại lộ Bình Dương').waitFor();
    await page.getByText('khó thở').waitFor();
    expect(await page.locator('#btn-ack').textContent()).toBe('Xác nhận nhiệm vụ'); // Vietnamese by default
    // Navigation to the scene opens the tablet's own navigation app.
    const scene = `${(HOME.lat + 0.01).toFixed(6)},${HOME.lng.toFixed(6)}`;
    expect(await page.locator('#nav').getAttribute('href')).toBe(`geo:${scene}?q=${scene}${encodeURIComponent('(12 Đại lộ Bình Dương)')}`);
    expect(await page.locator('#nav').textContent()).toBe('Dẫn đường đến hiện trường');

    const press = async (button: string, state: string) => {
      await page.locator(`#btn-${button}`).click();
      await waitFor(async () => (await incidentState()) === state, `the incident to become ${state}`);
    };
    await press('ack', 'acknowledged');
    await press('en_route', 'en_route');

    // No broker: the press is queued and shown pending, then confirmed and applied once it is back.
    await link.down();
    await page.locator('#link.off').waitFor();
    await page.locator('#btn-on_scene').click();
    await page.locator('#messages li[data-what="on_scene"][data-state="pending"]').waitFor();
    expect(await incidentState()).toBe('en_route');
    await link.up();
    await page.locator('#messages li[data-what="on_scene"][data-state="confirmed"]').waitFor({ timeout: 15_000 });
    await waitFor(async () => (await incidentState()) === 'on_scene', 'the queued on_scene to reach the server');

    await page.locator('#lang').click();
    expect(await page.locator('#btn-ack').textContent()).toBe('Acknowledge');
    await page.locator('#hospital').selectOption(hospitals.at(-1)!.id);
    await press('transporting', 'transporting');
    // With the patient on board it leads to the hospital the crew chose.
    const chosen = hospitals.at(-1)!;
    const there = `${chosen.location.lat.toFixed(6)},${chosen.location.lng.toFixed(6)}`;
    await page.locator(`#nav[data-to="hospital"][href^="geo:${there}?q="]`).waitFor();
    expect(await page.locator('#nav').textContent()).toBe('Navigate to the hospital');
    await press('at_hospital', 'at_hospital');
    await press('available', 'closed');
    await page.getByText('No assignment').waitFor();
    // Only JSON posts press buttons: a plain form/text post from another page (no CORS preflight) is refused.
    const forged = await fetch(new URL('api/crew', agent.panelUrl!), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ type: 'status', status: 'out_of_service' }) });
    expect(forged.status).toBe(415);
    const types = (await api<{ type: string; payload?: { deviceTs?: number } }[]>(server.url, 'GET', `/api/incidents/${incidentId}/timeline`)).body.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['AssignmentAcknowledged', 'UnitEnRoute', 'UnitOnScene', 'PatientTransporting', 'UnitAtHospital', 'IncidentClosed']));
  });
});
