import { describe, expect, it } from 'vitest';
import { AckMsgSchema, CreateIncidentBodySchema, parseVehicleTopic, PositionMsgSchema, StatusMsgSchema, vehicleTopic } from '../src/index.ts';
import { compileParser } from '../src/validate.ts';

const position = compileParser(PositionMsgSchema);
const status = compileParser(StatusMsgSchema);
const ack = compileParser(AckMsgSchema);
const incident = compileParser(CreateIncidentBodySchema);

describe('position payloads', () => {
  const ok = { seq: 1, ts: 1_700_000_000_000, lat: 10.98, lon: 106.65 };
  it.each([
    ['minimal', ok, true],
    ['with accuracy, speed, heading', { ...ok, acc: 5, spd: 12.5, hdg: 359.9 }, true],
    ['lat 91', { ...ok, lat: 91 }, false],
    ['lat -90.0001', { ...ok, lat: -90.0001 }, false],
    ['lon 180.5', { ...ok, lon: 180.5 }, false],
    ['lat as string', { ...ok, lat: '10.98' }, false],
    ['missing seq', { ts: ok.ts, lat: 1, lon: 1 }, false],
    ['fractional seq', { ...ok, seq: 1.5 }, false],
    ['negative seq', { ...ok, seq: -1 }, false],
    ['negative speed', { ...ok, spd: -1 }, false],
    ['heading 400', { ...ok, hdg: 400 }, false],
    ['NaN latitude', { ...ok, lat: NaN }, false],
    ['Infinity longitude', { ...ok, lon: Infinity }, false],
    ['null', null, false],
    ['array', [ok], false],
  ])('%s', (_name, value, valid) => {
    expect(position.validate(value).ok).toBe(valid);
  });

  it('rejects malformed JSON and non-JSON bytes with a clear error', () => {
    expect(position.parseJson('{"seq":1,')).toEqual({ ok: false, error: 'malformed JSON' });
    expect(position.parseJson(new Uint8Array([0xff, 0xfe, 0x00]))).toEqual({ ok: false, error: 'malformed JSON' });
    const r = position.parseJson(JSON.stringify({ ...ok, lat: 91 }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain('/lat');
  });
});

describe('status and ack payloads', () => {
  it.each([
    [{ status: 'available', ts: 1 }, true],
    [{ status: 'en_route', ts: 1, incidentId: '6f1c1a52-8a0e-4c53-9a53-2f8e7a3f4b11' }, true],
    [{ status: 'en_route', ts: 1, incidentId: 'not-a-uuid' }, false],
    [{ status: 'flying', ts: 1 }, false],
    [{ status: 'available' }, false],
  ])('status %o valid: %s', (value, valid) => {
    expect(status.validate(value).ok).toBe(valid);
  });
  it.each([
    [{ assignmentId: 'a', ts: 1 }, true],
    [{ assignmentId: '', ts: 1 }, false],
    [{ ts: 1 }, false],
  ])('ack %o valid: %s', (value, valid) => {
    expect(ack.validate(value).ok).toBe(valid);
  });
});

describe('incident body', () => {
  const ok = { line: '115', callerPhone: '+84 912 345 678', location: { lat: 10.98, lng: 106.65 }, category: 'cardiac', priority: 1 };
  it.each([
    ['minimal', ok, true],
    ['line 1022 with every field', { ...ok, line: '1022', channel: 'zalo', callerName: 'Trần Thị B', address: '1 Yersin', notes: 'khó thở\nđau ngực' }, true],
    ['line 911', { ...ok, line: '911' }, false],
    ['priority 0', { ...ok, priority: 0 }, false],
    ['priority 5', { ...ok, priority: 5 }, false],
    ['phone with letters', { ...ok, callerPhone: 'call me' }, false],
    ['unknown field', { ...ok, foo: 1 }, false],
    ['control character in name', { ...ok, callerName: 'a\u0007b' }, false],
    ['location with lon instead of lng', { ...ok, location: { lat: 10, lon: 106 } }, false],
  ])('%s', (_n, value, valid) => {
    expect(incident.validate(value).ok).toBe(valid);
  });
});

describe('topics', () => {
  it('round-trips vehicle topics and rejects others', () => {
    expect(parseVehicleTopic('lifeline/v1', vehicleTopic('lifeline/v1', 'BD-001', 'position'))).toEqual({ vehicleId: 'BD-001', kind: 'position' });
    expect(parseVehicleTopic('lifeline/v1', 'lifeline/v1/vehicles/BD-001/position/extra')).toBeNull();
    expect(parseVehicleTopic('lifeline/v1', 'lifeline/v1/vehicles/bad id/position')).toBeNull();
    expect(parseVehicleTopic('lifeline/v1', 'lifeline/v1/vehicles/BD-001/unknown')).toBeNull();
    expect(parseVehicleTopic('lifeline/v1', 'other/v1/vehicles/BD-001/position')).toBeNull();
  });
});
