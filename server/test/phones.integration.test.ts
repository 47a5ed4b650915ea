import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { Vehicle } from '@lifeline/protocol';
import { fromOsmAndParams, parseTimestamp } from '../src/core/trackers.ts';
import type { LifelineServer } from '../src/server.ts';
import { api, connectMqtt, login, TestEnv, waitFor } from './helpers.ts';

const NOW = Date.UTC(2026, 10, 25, 3, 0, 0);

describe('OsmAnd parameters (pure)', () => {
  it.each([
    ['epoch seconds', '1795600000', 1795600000_000],
    ['epoch milliseconds', '1795600000123', 1795600000123],
    ['ISO 8601', '2026-11-25T03:00:00Z', NOW],
    ['missing → server time', undefined, NOW],
    ['garbage', 'yesterday', null],
    ['number-ish date', '25/11/2026', null],
  ])('timestamp %s', (_n, raw, expected) => {
    expect(parseTimestamp(raw, NOW)).toBe(expected);
  });

  it.each([
    ['valid, speed in knots', { id: 'p1', lat: '10.98', lon: '106.65', speed: '10', bearing: '90', accuracy: '5' }, { speedMps: 10 * 1852 / 3600, headingDeg: 90, accuracyM: 5 }],
    ['-1 for unknown speed', { id: 'p1', lat: '10.98', lon: '106.65', speed: '-1' }, { speedMps: null }],
    ['heading instead of bearing', { deviceid: 'p1', lat: '10.98', lon: '106.65', heading: '270' }, { headingDeg: 270 }],
  ])('%s', (_n, params, expected) => {
    const r = fromOsmAndParams(params, NOW);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.fix).toMatchObject(expected);
  });

  it.each([
    ['no id', { lat: '1', lon: '2' }],
    ['lat 91', { id: 'p', lat: '91', lon: '2' }],
    ['lat not a number', { id: 'p', lat: 'north', lon: '2' }],
    ['speed not a number', { id: 'p', lat: '1', lon: '2', speed: 'fast' }],
    ['invalid flag', { id: 'p', lat: '1', lon: '2', valid: 'false' }],
    ['bad timestamp', { id: 'p', lat: '1', lon: '2', timestamp: 'now-ish' }],
  ])('rejects %s', (_n, params) => {
    expect(fromOsmAndParams(params as never, NOW).ok).toBe(false);
  });
});

describe('phones as trackers, and fix quality (embedded)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let mqtt: MqttClient;
  let admin: string;
  const unit = async (id: string) => (await api<Vehicle[]>(server.url, 'GET', '/api/vehicles')).body.find((v) => v.id === id);

  beforeAll(async () => {
    await env.setup();
    server = await env.start();
    mqtt = await connectMqtt(server.mqttUrl);
    admin = await login(server, 'admin');
    for (const [kind, deviceKey, vehicleId] of [
      ['owntracks', 'lan/pixel7', 'PH-1'],
      ['osmand', 'a1b2c3d4e5', 'PH-2'],
    ]) {
      expect((await api(server.url, 'POST', '/api/vehicles', { id: vehicleId, callSign: vehicleId }, admin)).status).toBe(201);
      expect((await api(server.url, 'POST', '/api/trackers', { kind, deviceKey, vehicleId }, admin)).status).toBe(201);
    }
  });
  afterAll(async () => {
    await mqtt?.endAsync();
    await server?.stop();
    await env.teardown();
  });

  it('takes OwnTracks locations from a mapped phone (tst seconds, vel km/h) and ignores other types', async () => {
    const tst = Math.floor(Date.now() / 1000);
    await mqtt.publishAsync('owntracks/lan/pixel7', JSON.stringify({ _type: 'transition', event: 'enter' }), { qos: 1 });
    await mqtt.publishAsync('owntracks/lan/pixel7', JSON.stringify({ _type: 'location', lat: 10.97, lon: 106.66, tst, vel: 36, cog: 180, acc: 8, tid: 'px' }), { qos: 1 });
    await mqtt.publishAsync('owntracks/lan/unknown', JSON.stringify({ _type: 'location', lat: 10.97, lon: 106.66, tst }), { qos: 1 });
    await mqtt.publishAsync('owntracks/lan/pixel7', JSON.stringify({ _type: 'location', lat: 'x', lon: 106.66, tst }), { qos: 1 });
    await waitFor(async () => (await unit('PH-1'))?.position, 'PH-1 on the map');
    const v = (await unit('PH-1'))!;
    expect(v.position).toMatchObject({ lat: 10.97, lng: 106.66, recordedAt: new Date(tst * 1000).toISOString(), headingDeg: 180 });
    expect(v.position!.speedMps).toBeCloseTo(10, 9);
    expect(v.online).toBe(true);
    const c = (await api(server.url, 'GET', '/healthz', undefined, await login(server, 'supervisor'))).body.counters;
    expect(c.owntracks_ignored_type).toBe(1);
    expect(c.mqtt_rejected_owntracks_unmapped).toBe(1);
    expect(c.mqtt_rejected_invalid_owntracks).toBe(1);
  });

  it('takes OsmAnd / Traccar Client reports by query, form and JSON, answering after the commit', async () => {
    const t = Math.floor(Date.now() / 1000) - 30;
    const q = await fetch(`${server.url}/osmand?id=a1b2c3d4e5&lat=10.96&lon=106.67&timestamp=${t}&speed=-1&bearing=45&accuracy=12`);
    expect(q.status).toBe(200);
    // Answered only once stored.
    expect(await server.db.selectFrom('vehicle_positions').select('lat').where('vehicle_id', '=', 'PH-2').where('seq', '=', t * 1000).executeTakeFirst()).toEqual({ lat: 10.96 });
    const form = await fetch(`${server.url}/osmand`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `id=a1b2c3d4e5&lat=10.961&lon=106.671&timestamp=${new Date((t + 10) * 1000).toISOString()}&speed=19.4` });
    expect(form.status).toBe(200);
    const json = await fetch(`${server.url}/osmand`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ device_id: 'a1b2c3d4e5', location: { timestamp: new Date((t + 20) * 1000).toISOString(), coords: { latitude: 10.962, longitude: 106.672, speed: 5, heading: -1, accuracy: 4 } } }),
    });
    expect(json.status).toBe(200);
    const v = (await unit('PH-2'))!;
    expect(v.position).toMatchObject({ lat: 10.962, lng: 106.672, speedMps: 5, headingDeg: null });
    const rows = await server.db.selectFrom('vehicle_positions').select(['seq', 'speed_mps']).where('vehicle_id', '=', 'PH-2').orderBy('seq').execute();
    expect(rows.map((r) => r.seq)).toEqual([t * 1000, (t + 10) * 1000, (t + 20) * 1000]);
    expect(rows[0]!.speed_mps).toBeNull();
    expect(rows[1]!.speed_mps).toBeCloseTo(19.4 * 0.514444, 3);

    for (const [url, init, why] of [
      [`${server.url}/osmand?id=a1b2c3d4e5&lat=abc&lon=106`, {}, 'lat'],
      [`${server.url}/osmand?id=a1b2c3d4e5&lon=106`, {}, 'lat'],
      [`${server.url}/osmand`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"device_id":"a1b2c3d4e5","location":{"timestamp":"x","coords":{"latitude":1,"longitude":2}}}' }, 'timestamp'],
      [`${server.url}/osmand`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"device_id":"a1b2c3d4e5"' }, ''],
    ] as const) {
      const r = await fetch(url, init);
      expect(r.status, url).toBe(400);
      if (why) expect(((await r.json()) as { message: string }).message).toContain(why);
    }
  });

  it('stores an implausible fix but keeps it off the live map, and flags the unit', async () => {
    const p = server.config.mqttPrefix;
    const now = Date.now();
    const pub = (seq: number, lat: number, lng: number, ts: number) => mqtt.publishAsync(`${p}/vehicles/FQ-1/position`, JSON.stringify({ seq, ts, lat, lon: lng }), { qos: 1 });
    await pub(1, 10.98, 106.65, now - 20_000);
    await waitFor(async () => (await unit('FQ-1'))?.position, 'first fix');
    // 50 km north one second later: a jump.
    await pub(2, 11.43, 106.65, now - 19_000);
    // In the future by an hour.
    await pub(3, 10.981, 106.65, now + 3600_000);
    // Null island.
    await pub(4, 0, 0, now - 18_000);
    await waitFor(() => server.counters.get('positions_suspect_null_island') === 1, 'all three judged');
    const v = (await unit('FQ-1'))!;
    expect(v.position!.lat).toBe(10.98);
    expect(v.fixIssue).toBe('null_island');
    expect(server.counters.get('positions_suspect_implausible_jump')).toBe(1);
    expect(server.counters.get('positions_suspect_future_time')).toBe(1);
    await server.writer.drain();
    const rows = await server.db.selectFrom('vehicle_positions').select('seq').where('vehicle_id', '=', 'FQ-1').execute();
    expect(rows).toHaveLength(4);
    // A good fix clears the flag.
    await pub(5, 10.9805, 106.65, now - 10_000);
    await waitFor(async () => (await unit('FQ-1'))?.fixIssue === null, 'flag cleared');
  });
});
