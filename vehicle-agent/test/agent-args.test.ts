import { describe, expect, it } from 'vitest';
import { parseAgentArgs } from '../src/agentArgs.ts';

const ok = (argv: string[], env = {}) => {
  const r = parseAgentArgs(argv, env);
  if (!r.ok || r.help) throw new Error(JSON.stringify(r));
  return r.options;
};

describe('agent command line', () => {
  it.each([
    [['--id', 'BD-001', '--nmea', '/dev/ttyUSB0'], { kind: 'nmea', path: '/dev/ttyUSB0', speed: 1 }],
    [['--id', 'BD-001', '--nmea', 'drive.log', '--nmea-speed', '10'], { kind: 'nmea', path: 'drive.log', speed: 10 }],
    [['--id', 'BD-001', '--gpsd', 'localhost'], { kind: 'gpsd', host: 'localhost', port: 2947 }],
    [['--id', 'BD-001', '--gpsd', '10.0.0.2:3000'], { kind: 'gpsd', host: '10.0.0.2', port: 3000 }],
    [['--id', 'BD-001', '--simulate'], { kind: 'simulate', center: { lat: 10.98, lng: 106.65 }, speedKmh: 40, intervalMs: 1000 }],
    [['--id', 'BD-001', '--simulate', '--no-panel'], { kind: 'simulate', center: { lat: 10.98, lng: 106.65 }, speedKmh: 40, intervalMs: 1000 }],
    [['--id', 'BD-001', '--simulate=11,107'], { kind: 'simulate', center: { lat: 11, lng: 107 }, speedKmh: 40, intervalMs: 1000 }],
  ])('%j', (argv, gps) => {
    expect(ok(argv).gps).toEqual(gps);
  });

  it('defaults and options', () => {
    const o = ok(['--id', 'BD-001', '--simulate', '--username', 'BD-001', '--panel-port', '0', '--distance-m', '0'], { MQTT_URL: 'mqtts://b:8883', MQTT_PASSWORD: 'pw' });
    expect(o).toMatchObject({ mqttUrl: 'mqtts://b:8883', username: 'BD-001', password: 'pw', spoolDir: 'spool-BD-001', panelPort: 0, panelHost: '127.0.0.1' });
    expect(o.policy.distanceM).toBe(0);
    expect(ok(['--id', 'X', '--simulate', '--no-panel']).panelPort).toBeNull();
  });

  it.each([
    [['--nmea', 'x'], /--id must be/],
    [['--id', 'BD-001'], /exactly one GPS source/],
    [['--id', 'BD-001', '--nmea', 'x', '--gpsd', 'h'], /exactly one GPS source/],
    [['--id', 'BD 001', '--simulate'], /--id must be/],
    [['--id', 'B', '--gpsd', 'h:p'], /--gpsd must be HOST/],
    [['--id', 'B', '--simulate=91,0'], /--simulate must be LAT,LNG/],
    [['--id', 'B', '--simulate', '--username', 'u'], /MQTT_PASSWORD/],
    [['--id', 'B', '--simulate', '--min-interval-ms', '6000'], /must be ≥ --min-interval-ms/],
    [['--id', 'B', '--simulate', '--mqtt-url', 'http://x'], /--mqtt-url/],
    [['--id', 'B', '--simulate', '--frob'], /Unknown option '--frob'/],
  ])('%j is refused', (argv, message) => {
    const r = parseAgentArgs(argv, {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});
