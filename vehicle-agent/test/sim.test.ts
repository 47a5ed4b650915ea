import { describe, expect, it } from 'vitest';
import type { AssignmentMsg } from '@lifeline/protocol';
import type { LatLng } from '@lifeline/protocol';
import { bearingDeg, destinationPoint, distanceM, kmhToMps } from '../src/core/geo.ts';
import { childSeed, randomPointInRadius, seededRng } from '../src/core/random.ts';
import { followPath, planPath, type RoadNetwork } from '../src/core/roads.ts';
import { advance, DEFAULT_SIM_CONFIG, initialSimState, receiveAssignment, receiveCancel, type SimConfig, type SimState } from '../src/core/sim.ts';
import { fleetIds, fleetStarts } from '../src/fleet.ts';

const home = { lat: 10.98, lng: 106.65 };
const scene = destinationPoint(home, 45, 2000); // 2 km NE
const hospital = { id: 'H1', name: 'BV Binh Duong', location: destinationPoint(scene, 180, 1500) };
const assignment = (over: Partial<AssignmentMsg> = {}): AssignmentMsg => ({
  assignmentId: 'as-1',
  incidentId: '00000000-0000-4000-8000-000000000001',
  assignedAt: 0,
  incident: { line: '115', category: 'trauma', priority: 1, location: scene },
  destination: scene,
  ...over,
});
const park: SimConfig = { ...DEFAULT_SIM_CONFIG, idle: 'park' };
const noRandom = () => {
  throw new Error('rng must not be used here');
};

/** Runs ticks until the status changes `n` times (or a step cap); returns the statuses seen. */
function run(state: SimState, cfg: SimConfig, dtSec: number, maxSteps = 10_000) {
  const statuses: string[] = [];
  const rng = seededRng(1);
  for (let i = 0; i < maxSteps; i++) {
    const t = advance(state, dtSec, cfg, rng);
    state = t.state;
    if (t.statusChanged) statuses.push(state.job.status);
    if (state.job.status === 'available' && statuses.length > 0) return { state, statuses, steps: i + 1 };
  }
  return { state, statuses, steps: maxSteps };
}

describe('advance: a job end to end', () => {
  it('drives to the scene at the configured speed with a heading, then hospital, then available', () => {
    let s = receiveAssignment(initialSimState(home, park, noRandom), assignment({ hospital }), [], park).state;
    expect(s.job.status).toBe('en_route');
    const t = advance(s, 10, park, noRandom);
    expect(distanceM(home, t.state.position)).toBeCloseTo(kmhToMps(40) * 10, 3);
    expect(t.state.speedMps).toBeCloseTo(kmhToMps(40), 6);
    expect(t.state.headingDeg).toBeCloseTo(45, 0);
    expect(t.statusChanged).toBe(false);
    const r = run(s, park, 10);
    expect(r.statuses).toEqual(['on_scene', 'transporting', 'at_hospital', 'available']);
    // 2 km + 1.5 km at 40 km/h = 315 s of driving, 120 s + 180 s of dwell, then back home.
    s = r.state;
    // Available again, naming the assignment it ended (its `available` answers that one).
    expect(s.job).toEqual({ status: 'available', job: null, dwellLeftSec: 0, endedAssignmentId: 'as-1' });
  });

  it('each status lasts as long as it should (dt = 1 s)', () => {
    const s = receiveAssignment(initialSimState(home, park, noRandom), assignment({ hospital }), [], park).state;
    const rng = seededRng(1);
    let state = s;
    const changedAt: Record<string, number> = {};
    for (let i = 1; i <= 1000 && !changedAt.available; i++) {
      const t = advance(state, 1, park, rng);
      state = t.state;
      if (t.statusChanged) changedAt[state.job.status] = i;
    }
    expect(changedAt.on_scene).toBe(180); // 2000 m at 40 km/h
    expect(changedAt.transporting! - changedAt.on_scene!).toBe(120);
    expect(changedAt.at_hospital! - changedAt.transporting!).toBe(135); // 1500 m at 40 km/h
    expect(changedAt.available! - changedAt.at_hospital!).toBe(180);
  });

  it('is parked with speed 0 on scene and at the hospital, and keeps its heading', () => {
    let s = receiveAssignment(initialSimState(home, park, noRandom), assignment({ hospital }), [], park).state;
    while (s.job.status !== 'on_scene') s = advance(s, 10, park, noRandom).state;
    const h = s.headingDeg;
    const t = advance(s, 10, park, noRandom);
    expect(t.state.position).toEqual(s.position);
    expect(t.state.speedMps).toBe(0);
    expect(t.state.headingDeg).toBe(h);
  });

  it('skips transport when no hospital is known', () => {
    const s = receiveAssignment(initialSimState(home, park, noRandom), assignment(), [], park).state;
    expect(run(s, park, 10).statuses).toEqual(['on_scene', 'available']);
  });

  it('uses the nearest hospital from the list when the assignment names none', () => {
    const s = receiveAssignment(initialSimState(home, park, noRandom), assignment(), [hospital], park).state;
    expect(s.job.job?.hospitalId).toBe('H1');
    expect(run(s, park, 10).statuses).toEqual(['on_scene', 'transporting', 'at_hospital', 'available']);
  });

  it('a repeated assignment (QoS 1 redelivery) does not restart the job; a new one replaces it', () => {
    let s = receiveAssignment(initialSimState(home, park, noRandom), assignment(), [], park).state;
    s = advance(s, 60, park, noRandom).state;
    const dup = receiveAssignment(s, assignment(), [], park);
    expect(dup).toEqual({ state: s, duplicate: true });
    const newScene = destinationPoint(home, 200, 3000);
    const other = receiveAssignment(s, assignment({ assignmentId: 'as-2', incidentId: '00000000-0000-4000-8000-000000000002', destination: newScene }), [], park);
    expect(other.duplicate).toBe(false);
    expect(other.state.job).toMatchObject({ status: 'en_route', job: { assignmentId: 'as-2', scene: newScene } });
    expect(other.state.position).toEqual(s.position); // re-tasked from where it is
  });
});

describe('receiveCancel', () => {
  it('drops the current job where the unit stands, then it drives back to its start point', () => {
    let s = receiveAssignment(initialSimState(home, park, noRandom), assignment({ hospital }), [], park).state;
    s = advance(s, 60, park, noRandom).state;
    expect(receiveCancel(s, { assignmentId: 'other' }, park)).toEqual({ state: s, applied: false });
    const c = receiveCancel(s, { assignmentId: 'as-1' }, park);
    expect(c.applied).toBe(true);
    expect(c.state.job).toEqual({ status: 'available', job: null, dwellLeftSec: 0, endedAssignmentId: 'as-1' });
    expect(c.state.position).toEqual(s.position);
    let back = c.state;
    for (let i = 0; i < 100; i++) back = advance(back, 10, park, noRandom).state;
    expect(distanceM(back.position, home)).toBeLessThan(1);
  });
});

describe('advance: idle', () => {
  it("'park' returns to the start point after a job and stays there", () => {
    const s = receiveAssignment(initialSimState(home, park, noRandom), assignment(), [], park).state;
    let { state } = run(s, park, 10);
    expect(distanceM(state.position, home)).toBeGreaterThan(1000);
    for (let i = 0; i < 100; i++) state = advance(state, 10, park, noRandom).state;
    expect(distanceM(state.position, home)).toBeLessThan(1);
    const parked = state.position;
    for (let i = 0; i < 100; i++) state = advance(state, 10, park, noRandom).state;
    expect(state.position).toEqual(parked);
    expect(state.speedMps).toBe(0);
    expect(state.job.status).toBe('available');
  });

  it("'wander' stays within the wander radius at idle speed, and pauses", () => {
    const cfg = DEFAULT_SIM_CONFIG;
    const rng = seededRng(42);
    let s = initialSimState(home, cfg, rng);
    let moving = 0;
    let parked = 0;
    for (let i = 0; i < 5000; i++) {
      const t = advance(s, 5, cfg, rng);
      expect(t.statusChanged).toBe(false);
      expect(distanceM(t.state.position, home)).toBeLessThanOrEqual(cfg.wanderRadiusM + 1);
      expect(distanceM(s.position, t.state.position)).toBeLessThanOrEqual(cfg.idleSpeedMps * 5 + 1e-6);
      if (t.state.speedMps > 0) moving++;
      else parked++;
      s = t.state;
    }
    expect(moving).toBeGreaterThan(100);
    expect(parked).toBeGreaterThan(100);
  });

  it('an idle demo fleet looks alive: on average at least half of 30 units are on the move', () => {
    // Patrol, not parking lot: a newcomer's map must show units moving (issue #12).
    const rng = seededRng(12);
    let fleet = Array.from({ length: 30 }, () => initialSimState(home, DEFAULT_SIM_CONFIG, rng));
    let movingSum = 0;
    const ticks = 720; // one simulated hour in 5 s steps
    for (let i = 0; i < ticks; i++) {
      fleet = fleet.map((s) => advance(s, 5, DEFAULT_SIM_CONFIG, rng).state);
      movingSum += fleet.filter((s) => s.speedMps > 0).length;
    }
    expect(movingSum / ticks).toBeGreaterThanOrEqual(15);
  });

  it('is deterministic for a seed', () => {
    const track = (seed: number) => {
      const rng = seededRng(seed);
      let s = initialSimState(home, DEFAULT_SIM_CONFIG, rng);
      for (let i = 0; i < 500; i++) s = advance(s, 5, DEFAULT_SIM_CONFIG, rng).state;
      return s.position;
    };
    expect(track(7)).toEqual(track(7));
    expect(track(7)).not.toEqual(track(8));
  });
});

describe('random start points', () => {
  it('are inside the radius, spread out, and reproducible from the seed', () => {
    const a = fleetStarts(home, 8000, 200, 1234);
    expect(fleetStarts(home, 8000, 200, 1234)).toEqual(a);
    expect(fleetStarts(home, 8000, 200, 1235)).not.toEqual(a);
    const d = a.map((p) => distanceM(home, p));
    expect(Math.max(...d)).toBeLessThanOrEqual(8000 + 1e-6);
    // Uniform in the disc: about a quarter inside half the radius.
    const inner = d.filter((x) => x < 4000).length / d.length;
    expect(inner).toBeGreaterThan(0.15);
    expect(inner).toBeLessThan(0.35);
  });
  it('radius 0 puts everyone at the centre', () => {
    expect(randomPointInRadius(home, 0, seededRng(1))).toEqual(expect.objectContaining({ lat: expect.closeTo(home.lat, 9) }));
  });
  it('child seeds differ per vehicle', () => {
    expect(new Set([0, 1, 2, 3].map((i) => childSeed(99, i))).size).toBe(4);
  });
  it('ids are zero-padded', () => {
    expect(fleetIds('BD', 3)).toEqual(['BD-001', 'BD-002', 'BD-003']);
    expect(fleetIds('X', 1200).at(-1)).toBe('X-1200');
  });
});

// ---------------------------------------------------------------------------------------------
// Driving along roads. A toy network with two roads, a west–east one along the latitude of
// `home` and a south–north one along the longitude of the scene, so the road way from home to
// the scene is an L with its corner at (home.lat, scene.lng).
const corner: LatLng = { lat: home.lat, lng: scene.lng };
/** Distance from p to the nearer road, metres. */
const offRoadM = (p: LatLng) => Math.min(distanceM(p, { lat: home.lat, lng: p.lng }), distanceM(p, { lat: p.lat, lng: scene.lng }));
// The sim drives great circles between road points; a parallel is not one, so allow a few cm.
const onRoad = (p: LatLng) => offRoadM(p) < 0.1;
const lRoads: RoadNetwork = {
  snap: (p) => (distanceM(p, { lat: home.lat, lng: p.lng }) <= distanceM(p, { lat: p.lat, lng: scene.lng }) ? { lat: home.lat, lng: p.lng } : { lat: p.lat, lng: scene.lng }),
  route: (from, to) => {
    const a = lRoads.snap(from)!;
    const b = lRoads.snap(to)!;
    // Both on one road: along it; else via the corner.
    if (a.lat === b.lat && a.lat === home.lat) return [a, b];
    if (a.lng === b.lng && a.lng === scene.lng) return [a, b];
    return a.lat === home.lat ? [a, corner, b] : [a, corner, b];
  },
};
const lengthM = (pts: readonly LatLng[]) => pts.slice(1).reduce((m, p, i) => m + distanceM(pts[i]!, p), 0);
const roadPark: SimConfig = { ...park, route: lRoads.route };

describe('followPath', () => {
  const a = home;
  const b = destinationPoint(a, 90, 100);
  const c = destinationPoint(b, 0, 100);
  it.each([
    ['short of the first point', 50, 90, false, 2],
    ['round the corner: the distance counts along the line', 150, 0, false, 1],
    ['exactly on the corner keeps the heading of the piece driven', 100, 90, false, 1],
    ['to the end, no overshoot', 500, 0, true, 0],
  ])('%s', (_name, reachM, headingDeg, arrived, left) => {
    const step = followPath(a, [b, c], reachM, 1, 180);
    expect(step.movedM).toBeCloseTo(Math.min(reachM, 200), 6);
    expect(step.headingDeg).toBeCloseTo(headingDeg, 3);
    expect(step.arrived).toBe(arrived);
    expect(step.remaining).toHaveLength(left);
    if (arrived) expect(step.position).toEqual(c);
  });
  it('keeps the previous heading when it does not move', () => {
    expect(followPath(a, [b], 0, 1, 123).headingDeg).toBe(123);
    expect(followPath(a, [a], 10, 1, 123)).toMatchObject({ headingDeg: 123, arrived: true, movedM: 0 });
  });
});

describe('planPath', () => {
  it('drives the road line, then off it to a target beside the road', () => {
    const off = destinationPoint(corner, 180, 30); // 30 m south of the corner, off both roads
    const p = planPath(home, off, lRoads.route);
    expect(p.points.at(-1)).toEqual(off);
    expect(p.points.slice(0, -1).every(onRoad)).toBe(true);
  });
  it('is the straight line without a route function, or when the route is null or empty', () => {
    expect(planPath(home, scene).points).toEqual([scene]);
    expect(planPath(home, scene, () => null).points).toEqual([scene]);
    expect(planPath(home, scene, () => []).points).toEqual([scene]);
  });
});

describe('advance on roads', () => {
  it('drives the road line to the scene at the configured speed, heading along each road, and arrives', () => {
    let s = receiveAssignment(initialSimState(home, roadPark, noRandom), assignment(), [], roadPark).state;
    const dt = 1;
    const reach = roadPark.speedMps * dt;
    const roadM = lengthM([home, corner, scene]);
    let ticks = 0;
    while (s.job.status === 'en_route') {
      const t = advance(s, dt, roadPark, noRandom);
      ticks++;
      const was = s.position;
      s = t.state;
      expect(onRoad(s.position)).toBe(true);
      // Never faster than the speed (a straight chord across the corner is shorter still).
      expect(distanceM(was, s.position)).toBeLessThanOrEqual(reach + 1e-6);
      if (s.job.status !== 'en_route') break;
      expect(s.speedMps).toBeCloseTo(roadPark.speedMps, 9);
      // Before the corner: east along the first road; after it: north along the second.
      const expectedHeading = s.path!.points.length === 2 ? bearingDeg(home, corner) : bearingDeg(corner, scene);
      expect(Math.abs(s.headingDeg - expectedHeading)).toBeLessThan(0.5);
    }
    expect(s.job.status).toBe('on_scene');
    expect(s.position).toEqual(scene);
    expect(s.speedMps).toBe(0);
    // The whole L at the speed: the road length decides the time, not the straight line.
    expect(ticks).toBe(Math.ceil(roadM / reach));
    expect(ticks).toBeGreaterThan(Math.ceil(distanceM(home, scene) / reach));
  });

  it('drives from an off-road start onto the road first, then along it', () => {
    const start = destinationPoint(home, 180, 40); // 40 m south of the west–east road
    let s = receiveAssignment(initialSimState(start, roadPark, noRandom), assignment(), [], roadPark).state;
    s = advance(s, 3, roadPark, noRandom).state; // 33 m: still on the way to the road, heading north
    expect(s.headingDeg).toBeCloseTo(0, 3);
    expect(offRoadM(s.position)).toBeCloseTo(40 - roadPark.speedMps * 3, 3);
    for (let i = 0; i < 400 && s.job.status === 'en_route'; i++) {
      s = advance(s, 1, roadPark, noRandom).state;
      expect(offRoadM(s.position)).toBeLessThan(i === 0 ? 40 : 0.1);
    }
    expect(s.job.status).toBe('on_scene');
  });

  it('falls back to the straight line when there is no route (identical to no graph)', () => {
    const noRoute: SimConfig = { ...park, route: () => null };
    let a = receiveAssignment(initialSimState(home, noRoute, noRandom), assignment({ hospital }), [], noRoute).state;
    let b = receiveAssignment(initialSimState(home, park, noRandom), assignment({ hospital }), [], park).state;
    for (let i = 0; i < 1000; i++) {
      a = advance(a, 1, noRoute, noRandom).state;
      b = advance(b, 1, park, noRandom).state;
      expect(a.position).toEqual(b.position);
      expect(a.job).toEqual(b.job);
    }
    expect(a.job.status).toBe('available');
  });

  it('re-routes from where it is when re-assigned or cancelled, and drives home along the road', () => {
    const calls: [LatLng, LatLng][] = [];
    const cfg: SimConfig = { ...roadPark, route: (f, t) => (calls.push([f, t]), lRoads.route(f, t)) };
    let s = receiveAssignment(initialSimState(home, cfg, noRandom), assignment(), [], cfg).state;
    for (let i = 0; i < 20; i++) s = advance(s, 1, cfg, noRandom).state;
    expect(calls).toEqual([[home, scene]]); // routed once, then followed
    expect(s.path?.to).toEqual(scene);

    // Re-tasked: a scene 1 km west along the road.
    const west = destinationPoint(home, 270, 1000);
    const westOnRoad = { lat: home.lat, lng: west.lng };
    s = receiveAssignment(s, assignment({ assignmentId: 'as-2', destination: westOnRoad }), [], cfg).state;
    expect(s.path).toBeNull();
    const here = s.position;
    s = advance(s, 1, cfg, noRandom).state;
    expect(calls.at(-1)).toEqual([here, westOnRoad]);
    expect(s.headingDeg).toBeCloseTo(270, 1); // turned round onto the new way
    expect(s.path?.to).toEqual(westOnRoad);

    // Cancelled part-way up the south–north road of a third job: home along the roads, not across.
    s = receiveAssignment(s, assignment({ assignmentId: 'as-3', destination: scene }), [], cfg).state;
    s = advance(s, 1, cfg, noRandom).state;
    expect(s.path?.points).toHaveLength(2); // the corner, the scene
    while (s.path!.points.length > 1) s = advance(s, 1, cfg, noRandom).state;
    for (let i = 0; i < 30; i++) s = advance(s, 1, cfg, noRandom).state;
    expect(distanceM(s.position, { lat: s.position.lat, lng: scene.lng })).toBeLessThan(0.1);
    expect(distanceM(s.position, corner)).toBeGreaterThan(300);
    s = receiveCancel(s, { assignmentId: 'as-3' }, cfg).state;
    expect(s.path).toBeNull();
    const before = calls.length;
    for (let i = 0; i < 1000 && distanceM(s.position, home) > 0; i++) {
      s = advance(s, 1, cfg, noRandom).state;
      expect(onRoad(s.position)).toBe(true);
    }
    expect(s.position).toEqual(home);
    expect(calls.slice(before).map(([, to]) => to)).toEqual([home]);
  });

  it('wanders idle along roads only, within the wander radius', () => {
    // A leash that keeps the unit on the west–east road (the corner is ≈ 1.4 km away).
    const cfg: SimConfig = { ...DEFAULT_SIM_CONFIG, wanderRadiusM: 500, route: lRoads.route };
    const rng = seededRng(42);
    let s = initialSimState(home, cfg, rng);
    let moving = 0;
    for (let i = 0; i < 3000; i++) {
      const t = advance(s, 5, cfg, rng);
      expect(onRoad(t.state.position)).toBe(true);
      expect(distanceM(t.state.position, home)).toBeLessThanOrEqual(cfg.wanderRadiusM + 1);
      expect(distanceM(s.position, t.state.position)).toBeLessThanOrEqual(cfg.idleSpeedMps * 5 + 1e-6);
      if (t.state.speedMps > 0) {
        moving++;
        expect([90, 270]).toContain(Math.round(t.state.headingDeg)); // along the west–east road
      }
      s = t.state;
    }
    expect(moving).toBeGreaterThan(100);
  });
});

describe('start points on roads', () => {
  it('are snapped onto the network, reproducibly; a point with no road near is drawn again', () => {
    const starts = fleetStarts(home, 3000, 50, 7, lRoads);
    expect(starts.every(onRoad)).toBe(true);
    expect(fleetStarts(home, 3000, 50, 7, lRoads)).toEqual(starts);
    // Only the northern half has roads: every start is drawn there.
    const northOnly: RoadNetwork = { snap: (p) => (p.lat > home.lat ? p : null), route: () => null };
    expect(fleetStarts(home, 3000, 50, 7, northOnly).every((p) => p.lat > home.lat)).toBe(true);
    // Nowhere: the first draw is kept, as without roads.
    expect(fleetStarts(home, 3000, 1, 7, { snap: () => null, route: () => null })).toEqual(fleetStarts(home, 3000, 1, 7));
  });
});
