import { describe, expect, it } from 'vitest';
import { parseCallsCsv } from '../src/core/sim/callsCsv.ts';
import { callsFromIncidents } from '../src/core/sim/replay.ts';
import { mulberry32 } from '../src/core/sim/random.ts';
import { syntheticCalls } from '../src/core/sim/synthetic.ts';

describe('calls CSV', () => {
  it('reads required and optional columns in any order, sorts by time, converts minutes', () => {
    const r = parseCallsCsv(
      '\uFEFFPriority,lat,lng,received_at,on_scene_min,transport_min\r\n' +
        '2,10.98,106.65,2026-03-01T08:10:00+07:00,15,0\r\n' +
        '1,10.99,106.66,2026-03-01T08:00:00+07:00,,12.5\r\n' +
        '\n' +
        '3,11.0,106.7,1772328600000,,\n',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.startMs).toBe(Date.parse('2026-03-01T01:00:00Z'));
    expect(r.calls).toEqual([
      { tSec: 0, lat: 10.99, lng: 106.66, priority: 1, transportSec: 750 },
      { tSec: 600, lat: 10.98, lng: 106.65, priority: 2, onSceneSec: 900, transportSec: 0 },
      { tSec: 1800, lat: 11.0, lng: 106.7, priority: 3 },
    ]);
  });

  it.each([
    ['no header columns', 'time,x\n1,2', 1, 'missing column(s): received_at, lat, lng, priority'],
    ['a local time without offset', 'received_at,lat,lng,priority\n2026-03-01T08:00:00,10,106,1', 2, 'received_at is not an ISO 8601 time or epoch ms'],
    ['latitude out of range', 'received_at,lat,lng,priority\n2026-03-01T08:00:00Z,91,106,1', 2, 'lat must be a number in −90…90'],
    ['priority 5', 'received_at,lat,lng,priority\n2026-03-01T08:00:00Z,10,106,5', 2, 'priority must be 1, 2, 3 or 4'],
    ['negative on-scene time', 'received_at,lat,lng,priority,on_scene_min\n2026-03-01T08:00:00Z,10,106,1,-3', 2, 'on_scene_min must be a number ≥ 0'],
    ['text in a number', 'received_at,lat,lng,priority\n2026-03-01T08:00:00Z,ten,106,1', 2, 'lat must be a number in −90…90'],
    ['no rows', 'received_at,lat,lng,priority\n', 2, 'no calls'],
    ['a year past 9999', 'received_at,lat,lng,priority\n+010000-01-01T00:00:00Z,10,106,1', 2, 'received_at is not an ISO 8601 time or epoch ms'],
  ])('rejects %s with the line and reason, without throwing', (_, text, line, message) => {
    expect(parseCallsCsv(text)).toEqual({ ok: false, code: 'InvalidCallsCsv', errors: [{ line, message }] });
  });

  it('is total on arbitrary input', () => {
    const rnd = mulberry32(3);
    const alphabet = 'received_at,lat,lng,priority\n0123456789.-+:TZe,"\r ';
    for (let i = 0; i < 2000; i++) {
      const s = Array.from({ length: Math.floor(rnd() * 120) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
      expect(() => parseCallsCsv(s)).not.toThrow();
    }
    expect(parseCallsCsv(undefined as unknown as string).ok).toBe(false);
  });
});

describe('replay of incident history', () => {
  const T = Date.parse('2026-03-01T00:00:00Z');
  const min = 60_000;
  it('takes on-scene and transport times from the timeline, response from the simulation', () => {
    const { startMs, calls } = callsFromIncidents([
      { receivedAtMs: T + 10 * min, lat: 11, lng: 106.7, priority: 2, onSceneAtMs: T + 20 * min, transportingAtMs: T + 35 * min, atHospitalAtMs: T + 50 * min, closedAtMs: T + 70 * min },
      { receivedAtMs: T, lat: 10.9, lng: 106.6, priority: 1, onSceneAtMs: T + 8 * min, transportingAtMs: null, atHospitalAtMs: null, closedAtMs: T + 30 * min },
      { receivedAtMs: T + 5 * min, lat: 10.95, lng: 106.65, priority: 3, onSceneAtMs: null, transportingAtMs: null, atHospitalAtMs: null, closedAtMs: null },
    ]);
    expect(startMs).toBe(T);
    expect(calls).toEqual([
      { tSec: 0, lat: 10.9, lng: 106.6, priority: 1, onSceneSec: 22 * 60, transportSec: 0 },
      { tSec: 300, lat: 10.95, lng: 106.65, priority: 3 },
      { tSec: 600, lat: 11, lng: 106.7, priority: 2, onSceneSec: 15 * 60, transportSec: 15 * 60 },
    ]);
  });
});

describe('synthetic stream', () => {
  it('follows the hour-of-week rates (Poisson counts within 4 SD) and the demand weights', () => {
    // 4 weeks; Monday 08:00–09:00 local gets 60 calls/h, every other hour 2.
    const rates = Array.from({ length: 168 }, (_, h) => (h === 8 ? 60 : 2));
    const startMs = Date.parse('2026-03-02T00:00:00+07:00'); // a Monday, local midnight
    const demand = [
      { lat: 10.9, lng: 106.6, weight: 3 },
      { lat: 11.0, lng: 106.7, weight: 1 },
    ];
    const calls = syntheticCalls({ durationSec: 4 * 7 * 86_400, callsPerHour: rates, startMs, utcOffsetMin: 420, demand, zoneOf: (p) => p }, mulberry32(9));
    const inPeak = calls.filter((c) => Math.floor(c.tSec / 3600) % 168 === 8).length;
    expect(Math.abs(inPeak - 240)).toBeLessThan(4 * Math.sqrt(240));
    const offPeak = calls.length - inPeak;
    expect(Math.abs(offPeak - 4 * 167 * 2)).toBeLessThan(4 * Math.sqrt(4 * 167 * 2));
    const share0 = calls.filter((c) => c.zone === 0).length / calls.length;
    expect(Math.abs(share0 - 0.75)).toBeLessThan(4 * Math.sqrt((0.75 * 0.25) / calls.length));
    expect(calls.every((c, i) => i === 0 || c.tSec >= calls[i - 1]!.tSec)).toBe(true);
  });
});
