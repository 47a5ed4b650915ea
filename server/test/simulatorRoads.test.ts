import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { LatLng } from '@lifeline/protocol';
import type { RoadNetwork } from '@lifeline/vehicle-agent';
import { ARRIVAL_TOLERANCE_M, distanceM } from '../../vehicle-agent/src/core/geo.ts';
import { seededRng } from '../../vehicle-agent/src/core/random.ts';
import { advance, DEFAULT_SIM_CONFIG, initialSimState, receiveAssignment, type SimConfig, type SimState } from '../../vehicle-agent/src/core/sim.ts';
import { fleetStarts } from '../../vehicle-agent/src/fleet.ts';
import { importRoadGraph, loadRoadGraph, RoadRouter, saveRoadGraph } from '../src/adapters/routing/index.ts';
import { readRoadGraph } from '../src/adapters/routing/roadNetwork.ts';
import { startBroker } from '../../vehicle-agent/test/support/broker.ts';

// The simulator on the real Monaco graph, read the way `--road-graph` reads it: every position a
// simulated unit takes must be on the road network, and it must get where it is sent.
const OSM = path.resolve(fileURLToPath(new URL('../..', import.meta.url)), 'fixtures/osm/monaco.osm.pbf');
/** Road lines are rounded to 1e-7° (~1 cm) and the sim drives great circles between their points. */
const ON_ROAD_M = 1;

describe('simulated units on the Monaco road graph', () => {
  let dir: string;
  let roads: RoadNetwork;
  /** An independent router on the same file: the judge of "on the road". */
  let judge: RoadRouter;
  let center: LatLng;
  let graphFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lifeline-simroads-'));
    const file = (graphFile = path.join(dir, 'monaco.llrg'));
    await saveRoadGraph(file, await importRoadGraph(OSM, { builtAt: '2026-01-01T00:00:00Z' }));
    const read = await readRoadGraph(file);
    if (!read.ok) throw new Error(read.error);
    roads = read.roads;
    const loaded = await loadRoadGraph(file);
    if (!loaded.ok) throw new Error(loaded.message);
    judge = new RoadRouter(loaded.graph);
    const [w, s, e, n] = loaded.graph.meta.bbox;
    center = { lat: (s + n) / 2, lng: (w + e) / 2 };
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const offRoadM = (p: LatLng) => judge.snap(p)?.offRoadM ?? Infinity;

  it('reports a missing file with what to do', async () => {
    const r = await readRoadGraph(path.join(dir, 'nope.llrg'));
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/GraphFileMissing.*npm run import-osm/) });
  });

  it('starts every unit on a road', () => {
    const starts = fleetStarts(center, 1500, 40, 2019, roads);
    for (const p of starts) expect(offRoadM(p)).toBeLessThan(ON_ROAD_M);
    // Without roads most random points in and around Monaco are off the roads (or in the sea).
    const raw = fleetStarts(center, 1500, 40, 2019);
    expect(raw.filter((p) => offRoadM(p) > 5).length).toBeGreaterThan(20);
  });

  it('drives jobs to the scene, the hospital and back home along the roads', () => {
    const cfg: SimConfig = { ...DEFAULT_SIM_CONFIG, idle: 'park', route: roads.route };
    const rng = seededRng(7);
    const starts = fleetStarts(center, 1500, 6, 77, roads);
    const points = fleetStarts(center, 1500, 12, 78, roads); // scenes and hospitals, on roads
    let routed = 0;
    starts.forEach((home, u) => {
      const scene = points[2 * u]!;
      const hospital = points[2 * u + 1]!;
      let s: SimState = initialSimState(home, cfg, rng);
      s = receiveAssignment(
        s,
        {
          assignmentId: `as-${u}`,
          incidentId: '00000000-0000-4000-8000-000000000001',
          assignedAt: 0,
          incident: { line: '115', category: 'trauma', priority: 1, location: scene },
          destination: scene,
          hospital: { id: 'H', name: 'CHPG', location: hospital },
        },
        [],
        cfg,
      ).state;
      const route = judge.route(home, scene);
      if (route) routed++;
      const seen: string[] = [];
      let ticks = 0;
      let enRouteTicks = 0;
      let worst = 0;
      for (; ticks < 20_000; ticks++) {
        const prev = s;
        s = advance(s, 1, cfg, rng).state;
        worst = Math.max(worst, offRoadM(s.position));
        // At the speed (a point within ARRIVAL_TOLERANCE_M counts as reached, as on a straight line).
        expect(distanceM(prev.position, s.position)).toBeLessThanOrEqual(cfg.speedMps + ARRIVAL_TOLERANCE_M);
        if (prev.job.status === 'en_route') enRouteTicks++;
        if (s.job.status !== prev.job.status) {
          seen.push(s.job.status);
          if (s.job.status === 'on_scene') expect(s.position).toEqual(scene);
          if (s.job.status === 'at_hospital') expect(s.position).toEqual(hospital);
        }
        if (s.job.status === 'available' && distanceM(s.position, home) === 0) break;
      }
      expect(worst).toBeLessThan(ON_ROAD_M);
      expect(seen).toEqual(['on_scene', 'transporting', 'at_hospital', 'available']);
      // It drove the road route: as long as the router's route line at the sim's speed (± a tick
      // for the rounding of the router's decimetres).
      if (route) expect(Math.abs(enRouteTicks - route.distanceM / cfg.speedMps)).toBeLessThanOrEqual(1);
    });
    expect(routed).toBe(starts.length);
  });

  it('wanders idle along the roads', () => {
    const cfg: SimConfig = { ...DEFAULT_SIM_CONFIG, route: roads.route, parkMinSec: 5, parkMaxSec: 30 };
    const rng = seededRng(11);
    for (const home of fleetStarts(center, 1500, 4, 5, roads)) {
      let s = initialSimState(home, cfg, rng);
      let movedM = 0;
      for (let i = 0; i < 1500; i++) {
        const t = advance(s, 2, cfg, rng).state;
        movedM += distanceM(s.position, t.position);
        expect(offRoadM(t.position)).toBeLessThan(ON_ROAD_M);
        s = t;
      }
      expect(movedM).toBeGreaterThan(500);
    }
  });

  it('npm run simulate --road-graph: the published positions are on the roads', async () => {
    const tb = await startBroker();
    const sub = await mqtt.connectAsync(tb.url, { protocolVersion: 4 });
    const repo = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
    const args = ['--count', '3', `--center=${center.lat},${center.lng}`, '--radius-km', '2', '--road-graph', graphFile, '--mqtt-url', tb.url];
    // Fast simulated time, so idle units soon leave their first pause and wander.
    args.push('--time-scale', '300', '--interval-ms', '100', '--seed', '5');
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli/simulate.ts', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MQTT_URL: '', MQTT_PREFIX: '' } });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await sub.subscribeAsync('lifeline/v1/vehicles/+/position');
      const offRoad: number[] = [];
      let moving = 0;
      await new Promise<void>((resolve) => {
        sub.on('message', (_t, payload) => {
          const m = JSON.parse(payload.toString()) as { lat: number; lon: number; spd: number };
          offRoad.push(offRoadM({ lat: m.lat, lng: m.lon }));
          if (m.spd > 0 && ++moving === 15) resolve();
        });
      });
      expect(out).toMatch(/driving on roads: .*monaco\.llrg/);
      expect(Math.max(...offRoad)).toBeLessThan(ON_ROAD_M);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await sub.endAsync();
      await tb.close();
    }
  }, 60_000);

  it('the vehicle-agent CLI alone refuses --road-graph and says where to go', async () => {
    const repo = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
    const child = spawn(process.execPath, ['--import', 'tsx', 'vehicle-agent/src/cli.ts', '--road-graph', graphFile], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toMatch(/--road-graph needs the road graph reader .*npm run simulate/);
  });
});
