import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { TrackerView, Vehicle } from '@lifeline/protocol';
import { decryptOwnTracks, encryptOwnTracks, ownTracksKey } from '../src/adapters/mqtt/ownTracks.ts';
import type { LifelineServer } from '../src/server.ts';
import { api, connectMqtt, login, registerUnit, TestEnv, waitFor } from './helpers.ts';

/**
 * A location as the OwnTracks iOS app publishes it (owntracks.org/booklet/tech/json, `_type:
 * location`): −1 for what it does not know (vel, cog, vac here), extra fields we ignore.
 */
const iosLocation = (tst: number, lat = 10.97, lon = 106.66) => ({
  _type: 'location', acc: 16, alt: 21, batt: 77, bs: 1, conn: 'w', cog: -1, created_at: tst, lat, lon, m: 1, t: 'u', tid: 'ip', tst, vac: -1, vel: -1, topic: 'owntracks/crew/iphone',
});

describe('OwnTracks payload encryption (pure)', () => {
  it('pads the passphrase with zeroes to 32 bytes, and cuts a longer one', () => {
    expect([...ownTracksKey('ab')]).toEqual([97, 98, ...new Array(30).fill(0)]);
    expect(ownTracksKey('x'.repeat(40))).toHaveLength(32);
  });
  it('opens what it sealed, and refuses a wrong key, a forged box and non-base64, without throwing', () => {
    const box = encryptOwnTracks('{"_type":"location"}', 'mysecreTpass01');
    expect(decryptOwnTracks(box, 'mysecreTpass01')).toEqual({ ok: true, value: '{"_type":"location"}' });
    expect(decryptOwnTracks(box, 'wrong').ok).toBe(false);
    const forged = Buffer.from(box, 'base64');
    forged[forged.length - 1]! ^= 1;
    expect(decryptOwnTracks(forged.toString('base64'), 'mysecreTpass01').ok).toBe(false);
    expect(decryptOwnTracks('***', 'k').ok).toBe(false);
    expect(decryptOwnTracks(42, 'k').ok).toBe(false);
    expect(decryptOwnTracks('AAAA', 'k').ok).toBe(false);
  });
});

describe('OwnTracks as the app really sends it (embedded)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let mqtt: MqttClient;
  let admin: string;
  const unit = async (id: string) => (await api<Vehicle[]>(server.url, 'GET', '/api/vehicles')).body.find((v) => v.id === id);
  const rows = (id: string) => server.db.selectFrom('vehicle_positions').select(['seq', 'speed_mps', 'heading_deg', 'accuracy_m']).where('vehicle_id', '=', id).orderBy('seq').execute();
  const publish = (topic: string, body: unknown) => mqtt.publishAsync(topic, JSON.stringify(body), { qos: 1 });

  beforeAll(async () => {
    await env.setup();
    server = await env.start();
    mqtt = await connectMqtt(server.mqttUrl);
    admin = await login(server, 'admin');
    for (const t of [
      { kind: 'owntracks', deviceKey: 'crew/iphone', vehicleId: 'OT-1' },
      { kind: 'owntracks', deviceKey: 'crew/secret', vehicleId: 'OT-2', encryptionKey: 'mysecreTpass01' },
      { kind: 'owntracks', deviceKey: 'crew/nokey', vehicleId: 'OT-3' },
    ]) {
      await registerUnit(server, admin, t.vehicleId);
      const r = await api<TrackerView>(server.url, 'POST', '/api/trackers', t, admin);
      expect(r.status).toBe(201);
      expect(r.body).not.toHaveProperty('encryptionKey');
    }
  });
  afterAll(async () => {
    await mqtt?.endAsync();
    await server?.stop();
    await env.teardown();
  });

  it('keeps an iPhone fix whose vel, cog and vac are −1, with speed and heading unknown', async () => {
    const tst = Math.floor(Date.now() / 1000) - 60;
    await publish('owntracks/crew/iphone', iosLocation(tst));
    await waitFor(async () => (await rows('OT-1')).length === 1, 'the fix stored');
    expect((await rows('OT-1'))[0]).toEqual({ seq: tst * 1000, speed_mps: null, heading_deg: null, accuracy_m: 16 });
    const v = (await unit('OT-1'))!;
    expect(v.position).toMatchObject({ lat: 10.97, lng: 106.66, speedMps: null, headingDeg: null });
  });

  it('takes a JSON array of messages element by element', async () => {
    const tst = Math.floor(Date.now() / 1000) - 50;
    await publish('owntracks/crew/iphone', [iosLocation(tst, 10.971), { _type: 'transition', event: 'leave' }, iosLocation(tst + 5, 10.972)]);
    await waitFor(async () => (await rows('OT-1')).length === 3, 'both fixes of the array stored');
    expect((await unit('OT-1'))!.position!.lat).toBe(10.972);
  });

  it('decrypts `_type: encrypted` with the tracker’s key (libsodium secretbox, as the app seals it)', async () => {
    const tst = Math.floor(Date.now() / 1000) - 40;
    await publish('owntracks/crew/secret', { _type: 'encrypted', data: encryptOwnTracks(JSON.stringify(iosLocation(tst, 10.98, 106.61)), 'mysecreTpass01') });
    await waitFor(async () => (await rows('OT-2')).length === 1, 'the decrypted fix stored');
    expect((await unit('OT-2'))!.position).toMatchObject({ lat: 10.98, lng: 106.61 });
    expect(server.counters.get('owntracks_decrypted')).toBe(1);
  });

  it('refuses an encrypted payload it has no key for: counted, logged, and shown in the trackers panel', async () => {
    const tst = Math.floor(Date.now() / 1000);
    await publish('owntracks/crew/nokey', { _type: 'encrypted', data: encryptOwnTracks(JSON.stringify(iosLocation(tst)), 'whatever') });
    // A wrong key is refused too, with its own reason.
    await publish('owntracks/crew/secret', { _type: 'encrypted', data: encryptOwnTracks(JSON.stringify(iosLocation(tst)), 'not-the-key') });
    await waitFor(() => server.counters.get('mqtt_rejected_owntracks_decrypt_failed') === 1, 'the wrong key refused');
    expect(server.counters.get('mqtt_rejected_owntracks_encrypted_no_key')).toBe(1);
    const list = (await api<TrackerView[]>(server.url, 'GET', '/api/trackers', undefined, admin)).body;
    expect(list.find((t) => t.deviceKey === 'crew/nokey')).toMatchObject({ encrypted: false, lastError: expect.stringMatching(/no encryption key is configured/) });
    expect(list.find((t) => t.deviceKey === 'crew/secret')).toMatchObject({ encrypted: true, lastError: expect.stringMatching(/cannot be decrypted/) });
    expect(JSON.stringify(list)).not.toContain('mysecreTpass01');
    const stored = await server.db.selectFrom('trackers').select(['device_key', 'last_error']).where('device_key', '=', 'crew/nokey').executeTakeFirstOrThrow();
    expect(stored.last_error).toMatch(/no encryption key/);
    expect(await rows('OT-3')).toHaveLength(0);
  });

  it('takes the app’s last will (`_type: lwt`) as offline at once', async () => {
    await waitFor(async () => (await unit('OT-1'))?.online === true, 'OT-1 online');
    await publish('owntracks/crew/iphone', { _type: 'lwt', tst: Math.floor(Date.now() / 1000) });
    await waitFor(async () => (await unit('OT-1'))?.online === false, 'OT-1 offline after its last will');
    expect(server.counters.get('owntracks_last_will')).toBe(1);
  });

  it('refuses `tst: 0` and a `tst` in milliseconds by the device-time window, dead-lettered with the reason', async () => {
    const before = (await rows('OT-1')).length;
    await publish('owntracks/crew/iphone', iosLocation(0));
    await publish('owntracks/crew/iphone', iosLocation(Date.now()));
    await waitFor(async () => (await server.db.selectFrom('dead_letters').select('reason').where('source', '=', 'owntracks').execute()).length === 2, 'both dead-lettered');
    const reasons = (await server.db.selectFrom('dead_letters').select('reason').where('source', '=', 'owntracks').orderBy('id').execute()).map((r) => r.reason);
    expect(reasons[0]).toMatch(/before 2000-01-01/);
    expect(reasons[1]).toMatch(/ahead of the server clock/);
    expect(await rows('OT-1')).toHaveLength(before);
    expect(server.counters.get('mqtt_rejected_device_time')).toBe(2);
  });

  it('refuses an OsmAnd report from the far future with 400, dead-lettered', async () => {
    await registerUnit(server, admin, 'OS-1');
    expect((await api(server.url, 'POST', '/api/trackers', { kind: 'osmand', deviceKey: 'osm-1', vehicleId: 'OS-1' }, admin)).status).toBe(201);
    const r = await fetch(`${server.url}/osmand?id=osm-1&lat=10.96&lon=106.67&timestamp=${Date.now() * 1000}`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toMatch(/ahead of the server clock/);
    const dead = await server.db.selectFrom('dead_letters').selectAll().where('source', '=', 'osmand').execute();
    expect(dead).toHaveLength(1);
    expect(dead[0]!.vehicle_id).toBe('OS-1');
    expect(server.counters.get('osmand_rejected_device_time')).toBe(1);
  });
});
