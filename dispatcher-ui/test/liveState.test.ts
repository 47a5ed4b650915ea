import { describe, expect, it } from 'vitest';
import {
  applyIncident,
  applySnapshot,
  applyUnitsDelta,
  beginConnection,
  createLiveState,
  mergeIncident,
  openIncidentsByUrgency,
} from '../src/realtime/liveState.ts';
import { LiveStore } from '../src/realtime/store.ts';
import { incident, unit } from './fixtures.ts';

const I1 = '00000000-0000-4000-8000-000000000001';
const I2 = '00000000-0000-4000-8000-000000000002';

describe('unit deltas against the snapshot seq', () => {
  const connected = (seq: number) => {
    const s = createLiveState();
    applySnapshot(s, { seq, units: [unit('a'), unit('b')], incidents: [] });
    return s;
  };

  it.each([
    { name: 'older than the snapshot', deltaSeq: 4, applied: false },
    { name: 'equal to the snapshot (already in it)', deltaSeq: 5, applied: false },
    { name: 'newer than the snapshot', deltaSeq: 6, applied: true },
  ])('a delta $name: applied=$applied', ({ deltaSeq, applied }) => {
    const s = connected(5);
    const r = applyUnitsDelta(s, { seq: deltaSeq, units: [unit('a', { status: 'dispatched' })] });
    expect(r.applied).toBe(applied);
    expect(s.units.get('a')!.status).toBe(applied ? 'dispatched' : 'available');
    expect(s.seq).toBe(applied ? deltaSeq : 5);
  });

  it('a delta replays nothing once a later one was applied', () => {
    const s = connected(1);
    applyUnitsDelta(s, { seq: 3, units: [unit('a', { status: 'on_scene' })] });
    expect(applyUnitsDelta(s, { seq: 2, units: [unit('a', { status: 'dispatched' })] })).toEqual({ applied: false, reason: 'stale' });
    expect(s.units.get('a')!.status).toBe('on_scene');
  });

  it('merges per unit: untouched units stay, new units are added, changed ids reported once each', () => {
    const s = connected(1);
    const r = applyUnitsDelta(s, { seq: 2, units: [unit('b', { online: false }), unit('c')] });
    expect(r).toEqual({ applied: true, changedIds: ['b', 'c'] });
    expect([...s.units.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(s.units.get('a')!.online).toBe(true);
    expect(s.units.get('b')!.online).toBe(false);
  });

  it('ignores deltas before the connection has its snapshot (they are inside the coming snapshot)', () => {
    const s = createLiveState();
    expect(applyUnitsDelta(s, { seq: 9, units: [unit('a')] })).toEqual({ applied: false, reason: 'before_snapshot' });
    expect(s.units.size).toBe(0);
  });

  it('after a reconnection, ignores deltas until the new snapshot, which replaces everything', () => {
    const s = connected(50);
    beginConnection(s);
    expect(applyUnitsDelta(s, { seq: 51, units: [unit('z')] }).applied).toBe(false);
    expect(s.units.has('a')).toBe(true); // still shown (stale) until the snapshot
    applySnapshot(s, { seq: 2, units: [unit('b')], incidents: [] });
    expect([...s.units.keys()]).toEqual(['b']);
  });

  it('accepts a snapshot with a LOWER seq after a server restart, then its deltas', () => {
    const s = connected(1000);
    beginConnection(s);
    applySnapshot(s, { seq: 0, units: [unit('a')], incidents: [] });
    expect(applyUnitsDelta(s, { seq: 1, units: [unit('a', { status: 'en_route' })] }).applied).toBe(true);
    expect(s.units.get('a')!.status).toBe('en_route');
  });
});

describe('incident versions', () => {
  it.each([
    { held: 3, incoming: 4, kept: 4, changed: true },
    { held: 3, incoming: 3, kept: 3, changed: false },
    { held: 3, incoming: 2, kept: 3, changed: false },
  ])('holding v$held, receiving v$incoming keeps v$kept', ({ held, incoming, kept, changed }) => {
    const m = new Map([[I1, incident(I1, held, { notes: `v${held}` })]]);
    expect(mergeIncident(m, incident(I1, incoming, { notes: `v${incoming}` }))).toBe(changed);
    expect(m.get(I1)!.version).toBe(kept);
    expect(m.get(I1)!.notes).toBe(`v${kept}`);
  });

  it('an incident event that arrives before the snapshot is not lost when the snapshot has an older copy', () => {
    const s = createLiveState();
    applyIncident(s, incident(I1, 2, { state: 'assigned' }));
    applySnapshot(s, { seq: 1, units: [], incidents: [incident(I1, 1, { state: 'triaged' }), incident(I2, 1)] });
    expect(s.incidents.get(I1)!.state).toBe('assigned');
    expect(s.incidents.has(I2)).toBe(true);
  });

  it('the snapshot drops incidents that closed while we were disconnected', () => {
    const s = createLiveState();
    applySnapshot(s, { seq: 1, units: [], incidents: [incident(I1, 1)] });
    beginConnection(s);
    applySnapshot(s, { seq: 1, units: [], incidents: [] });
    expect(s.incidents.size).toBe(0);
  });

  it('open incidents: most urgent first, then longest waiting; closed and cancelled left out', () => {
    const list = openIncidentsByUrgency([
      incident('a', 1, { priority: 3, createdAt: '2025-01-01T00:00:00Z' }),
      incident('b', 1, { priority: 1, createdAt: '2025-01-01T00:05:00Z' }),
      incident('c', 1, { priority: 1, createdAt: '2025-01-01T00:01:00Z' }),
      incident('d', 1, { priority: 1, state: 'closed' }),
      incident('e', 1, { priority: 2, state: 'cancelled' }),
    ]);
    expect(list.map((i) => i.id)).toEqual(['c', 'b', 'a']);
  });
});

describe('LiveStore', () => {
  it('tells unit subscribers reset on snapshot and the changed ids on deltas; counts ignored deltas', () => {
    const store = new LiveStore();
    const seen: unknown[] = [];
    store.subscribeUnits((c) => seen.push(c));
    store.onConnect();
    store.onUnits({ seq: 1, units: [unit('a')] });
    store.onSnapshot({ seq: 3, units: [unit('a')], incidents: [] });
    store.onUnits({ seq: 3, units: [unit('a')] });
    store.onUnits({ seq: 4, units: [unit('a'), unit('b')] });
    expect(seen).toEqual(['reset', ['a', 'b']]);
    expect(store.ignoredDeltas).toBe(2);
  });

  it('connection: connecting → live → offline (stale since) → resyncing → live', () => {
    let now = 1000;
    const store = new LiveStore(() => now);
    expect(store.connectionState().status).toBe('connecting');
    store.onConnect();
    store.onSnapshot({ seq: 0, units: [], incidents: [] });
    expect(store.connectionState()).toEqual({ status: 'live', staleSince: null, snapshots: 1 });
    now = 2000;
    store.onDisconnect();
    now = 3000;
    store.onDisconnect(); // connect_error while retrying keeps the first time
    expect(store.connectionState()).toEqual({ status: 'offline', staleSince: 2000, snapshots: 1 });
    store.onConnect();
    expect(store.connectionState().status).toBe('resyncing');
    expect(store.connectionState().staleSince).toBe(2000);
    store.onSnapshot({ seq: 0, units: [], incidents: [] });
    expect(store.connectionState()).toEqual({ status: 'live', staleSince: null, snapshots: 2 });
  });

  it('open incidents snapshot is stable until incidents change (useSyncExternalStore contract)', () => {
    const store = new LiveStore();
    store.onConnect();
    store.onSnapshot({ seq: 0, units: [], incidents: [incident(I1, 1)] });
    const a = store.openIncidents();
    expect(store.openIncidents()).toBe(a);
    store.onIncident(incident(I1, 1)); // same version: no change
    expect(store.openIncidents()).toBe(a);
    store.onIncident(incident(I1, 2, { state: 'assigned' }));
    expect(store.openIncidents()).not.toBe(a);
    expect(store.openIncidents()[0]!.state).toBe('assigned');
  });
});

describe('timeline announcements', () => {
  it('move only the announced incident\'s tick and tell only its listeners', () => {
    const store = new LiveStore();
    const heard: string[] = [];
    const off = store.subscribeTimeline((id) => heard.push(id));
    expect(store.timelineTick('a')).toBe(0);
    store.onTimeline({ incidentId: 'a', type: 'AckTimedOut' });
    store.onTimeline({ incidentId: 'a', type: 'AssignmentPublished' });
    store.onTimeline({ incidentId: 'b', type: 'DuplicateMerged' });
    expect([store.timelineTick('a'), store.timelineTick('b'), store.timelineTick('c')]).toEqual([2, 1, 0]);
    expect(heard).toEqual(['a', 'a', 'b']);
    off();
    store.onTimeline({ incidentId: 'a', type: 'AckTimedOut' });
    expect(heard).toHaveLength(3);
    expect(store.timelineTick('a')).toBe(3);
  });
});

describe('ack-timeout alerts', () => {
  const alert = (incidentId: string, vehicleId: string) => ({ type: 'ack_timeout' as const, incidentId, vehicleId, ts: '2026-01-01T00:00:00.000Z' });

  it('clear themselves when the unit acks late, the incident is reassigned or cancelled; others stay', () => {
    const store = new LiveStore();
    store.onSnapshot({ seq: 1, units: [], incidents: [incident('a', 1, { state: 'assigned', vehicleId: 'U1' }), incident('b', 1, { state: 'assigned', vehicleId: 'U2' }), incident('c', 1, { state: 'assigned', vehicleId: 'U3' })] });
    store.onAlert(alert('a', 'U1'));
    store.onAlert(alert('b', 'U2'));
    store.onAlert(alert('c', 'U3'));
    // Another incident changing leaves them alone.
    store.onIncident(incident('x', 1, { state: 'triaged' }));
    expect(store.alerts()).toHaveLength(3);
    store.onIncident(incident('a', 2, { state: 'acknowledged', vehicleId: 'U1' })); // late ack
    store.onIncident(incident('b', 2, { state: 'assigned', vehicleId: 'U9' })); // reassigned
    expect(store.alerts().map((a) => a.incidentId)).toEqual(['c']);
    store.onIncident(incident('c', 2, { state: 'cancelled', vehicleId: null }));
    expect(store.alerts()).toEqual([]);
  });

  it('one the auto-assign policy already acted on stays when the new unit takes over, until the call ends', () => {
    const store = new LiveStore();
    store.onSnapshot({ seq: 1, units: [], incidents: [incident('a', 1, { state: 'assigned', vehicleId: 'U1' })] });
    // The server moved the call to U2 before raising the alert for U1.
    store.onIncident(incident('a', 2, { state: 'assigned', vehicleId: 'U2' }));
    store.onAlert({ ...alert('a', 'U1'), autoReassignedTo: 'U2' });
    store.onIncident(incident('a', 3, { state: 'acknowledged', vehicleId: 'U2' }));
    expect(store.alerts().map((a) => a.autoReassignedTo)).toEqual(['U2']);
    store.onIncident(incident('a', 4, { state: 'closed', vehicleId: null }));
    expect(store.alerts()).toEqual([]);
  });
});
