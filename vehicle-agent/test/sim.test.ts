import { describe, expect, it } from 'vitest';
import type { AssignmentMsg } from '@lifeline/protocol';
import { destinationPoint, distanceM, kmhToMps } from '../src/core/geo.ts';
import { childSeed, randomPointInRadius, seededRng } from '../src/core/random.ts';
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
    expect(s.job).toEqual({ status: 'available', job: null, dwellLeftSec: 0 });
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
    expect(c.state.job).toEqual({ status: 'available', job: null, dwellLeftSec: 0 });
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
