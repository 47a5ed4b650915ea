import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '@lifeline/protocol';
import { normalizePhone } from '../src/adapters/store/callers.ts';
import type { LifelineServer } from '../src/server.ts';
import { api, TestEnv } from './helpers.ts';

describe('callers and duplicates (embedded)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  beforeAll(async () => {
    await env.setup();
    server = await env.start();
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });
  const call = (phone: string, lat: number, category = 'traffic_accident') =>
    api(server.url, 'POST', '/api/incidents', { line: '1022', callerPhone: phone, location: { lat, lng: 106.65 }, category, priority: 2 });

  it.each([
    ['0912 345 678', '0912345678'],
    ['0912.345.678', '0912345678'],
    ['+84 912 345 678', '0912345678'],
    ['84912345678', '0912345678'],
    ['(028) 3822-1234', '02838221234'],
    ['115', '115'],
  ])('normalises %s to %s', (raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected);
  });

  it('shows how often a number called, and its last incidents', async () => {
    await call('0977 000 111', 10.9);
    await call('+84977000111', 10.91);
    const third = await call('0977000111', 10.92, 'fall');
    expect(third.body.caller).toMatchObject({ phone: '0977000111', calls: 3, flagged: false });
    expect(third.body.caller.recent.map((i: Incident) => i.id)[0]).toBe(third.body.incident.id);
  });

  it('counts every call of a number but lists only its 5 latest, newest first; an unknown number has none', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await call('0955 000 333', 10.5 + i * 0.01, 'fall')).body.incident.id);
    const caller = (await api(server.url, 'GET', '/api/callers/0955000333')).body;
    expect(caller).toMatchObject({ phone: '0955000333', calls: 7, flagged: false, flagReason: null });
    expect(caller.recent.map((i: Incident) => i.id)).toEqual(ids.slice(-5).reverse());
    expect((await api(server.url, 'GET', '/api/callers/0944000444')).body).toEqual({ phone: '0944000444', flagged: false, flagReason: null, calls: 0, recent: [] });
    // A flag set before any call is shown with no calls.
    const flagged = (await api(server.url, 'POST', '/api/callers/0944000555/flag', { flagged: true, reason: 'thử' })).body;
    expect(flagged).toEqual({ phone: '0944000555', flagged: true, flagReason: 'thử', calls: 0, recent: [] });
  });

  it('commits a new call with its first timeline events in order, the recommendation audit after them', async () => {
    const r = await call('0933000666', 10.6, 'fall');
    const timeline = (await api(server.url, 'GET', `/api/incidents/${r.body.incident.id}/timeline`)).body;
    expect(timeline.map((e: { type: string }) => e.type)).toEqual(['IncidentReceived', 'IncidentTriaged', 'RecommendationsShown']);
    expect(timeline[0]).toMatchObject({ data: { line: '1022', channel: 'phone' } });
    expect(timeline[1]).toMatchObject({ data: { category: 'fall', priority: 2 } });
    expect(timeline[0].actor).toBe(timeline[1].actor);
  });

  it('lets a dispatcher flag a harassing caller, whose calls are still taken', async () => {
    const flagged = await api(server.url, 'POST', '/api/callers/0966000222/flag', { flagged: true, reason: 'gọi quấy rối nhiều lần' });
    expect(flagged.status).toBe(200);
    expect(flagged.body).toMatchObject({ flagged: true, flagReason: 'gọi quấy rối nhiều lần' });
    const r = await call('0966 000 222', 10.95);
    expect(r.status).toBe(201);
    expect(r.body.caller.flagged).toBe(true);
    const timeline = (await api(server.url, 'GET', `/api/incidents/${r.body.incident.id}/timeline`)).body;
    expect(timeline.map((e: { type: string }) => e.type)).toContain('CallerFlagged');
    const cleared = await api(server.url, 'POST', '/api/callers/0966000222/flag', { flagged: false });
    expect(cleared.body.flagged).toBe(false);
  });

  it('offers a nearby open incident of the same category as a possible duplicate, and merges it', async () => {
    const first = (await call('0900000101', 10.8)).body.incident;
    // 200 m north, same category, a minute later.
    const second = await call('0900000102', 10.8 + 200 / 111_195);
    expect(second.body.possibleDuplicates.map((d: { incidentId: string }) => d.incidentId)).toEqual([first.id]);
    expect(second.body.possibleDuplicates[0].distanceM).toBe(200);
    // Another category, or 2 km away: not a duplicate.
    expect((await call('0900000103', 10.8, 'burn')).body.possibleDuplicates).toEqual([]);
    expect((await call('0900000104', 10.818)).body.possibleDuplicates).toEqual([]);
    // East-west near the radius: 450 m is a duplicate, 550 m is not (the database pre-filters by a box).
    const eastLat = 10.7;
    const mPerDegLng = 111_195 * Math.cos((eastLat * Math.PI) / 180);
    const west = (await call('0900000105', eastLat, 'stroke')).body.incident;
    const near = await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: '0900000106', location: { lat: eastLat, lng: 106.65 + 450 / mPerDegLng }, category: 'stroke', priority: 1 });
    expect(near.body.possibleDuplicates.map((d: { incidentId: string; distanceM: number }) => [d.incidentId, d.distanceM])).toEqual([[west.id, 450]]);
    const far = await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: '0900000107', location: { lat: eastLat, lng: 106.65 - 550 / mPerDegLng }, category: 'stroke', priority: 1 });
    expect(far.body.possibleDuplicates).toEqual([]);

    const merged = await api(server.url, 'POST', `/api/incidents/${second.body.incident.id}/merge`, { intoIncidentId: first.id });
    expect(merged.status).toBe(200);
    expect(merged.body.state).toBe('cancelled');
    const src = (await api(server.url, 'GET', `/api/incidents/${second.body.incident.id}/timeline`)).body.map((e: { type: string }) => e.type);
    expect(src.slice(-2)).toEqual(['IncidentCancelled', 'MergedInto']);
    const dst = (await api(server.url, 'GET', `/api/incidents/${first.id}/timeline`)).body;
    // The second caller stays on the surviving incident: phone, name and time of the call.
    expect(dst.at(-1)).toMatchObject({
      type: 'DuplicateMerged',
      data: { incidentId: second.body.incident.id, callerPhone: second.body.incident.callerPhone, callerName: second.body.incident.callerName, calledAt: second.body.incident.createdAt },
    });
    expect((await api(server.url, 'POST', `/api/incidents/${first.id}/merge`, { intoIncidentId: first.id })).status).toBe(409);
    expect((await api(server.url, 'POST', `/api/incidents/${first.id}/merge`, { intoIncidentId: second.body.incident.id })).status).toBe(409);
  });
});
