import { describe, expect, it } from 'vitest';
import { parseCliArgs, type CliOptions } from '../src/args.ts';

const ok = (argv: string[], env = {}): CliOptions => {
  const r = parseCliArgs(argv, env);
  if (!r.ok || r.help) throw new Error(`expected options, got ${JSON.stringify(r)}`);
  return r.options;
};

describe('parseCliArgs', () => {
  it('has defaults', () => {
    expect(ok([])).toEqual({
      count: 10,
      center: { lat: 10.98, lng: 106.65 },
      radiusKm: 8,
      mqttUrl: 'mqtt://127.0.0.1:1883',
      prefix: 'lifeline/v1',
      idPrefix: 'BD',
      hospitalsFile: null,
      speedKmh: 40,
      timeScale: 1,
      intervalMs: 1000,
      idle: 'wander',
      seed: undefined,
      roadGraph: null,
      credentialsFile: null,
    });
  });

  it('takes the issue’s example, including the `--` pnpm passes through', () => {
    expect(ok(['--', '--count', '30', '--center', '10.98,106.65', '--radius-km', '8', '--mqtt-url', 'mqtt://127.0.0.1:1883'])).toMatchObject({
      count: 30,
      center: { lat: 10.98, lng: 106.65 },
      radiusKm: 8,
    });
  });

  it('takes every flag, = form too', () => {
    expect(
      ok([
        '--count=3', '--center=-33.9, 151.2', '--radius-km', '0.5', '--mqtt-url', 'mqtts://broker:8883', '--prefix', 'x/y',
        '--id-prefix', 'HCM_1', '--hospitals', 'h.json', '--speed-kmh', '60', '--time-scale', '100', '--interval-ms', '50',
        '--idle', 'park', '--seed', '42', '--road-graph', 'monaco.llrg', '--credentials', 'sim-credentials.json',
      ]),
    ).toEqual({
      count: 3, center: { lat: -33.9, lng: 151.2 }, radiusKm: 0.5, mqttUrl: 'mqtts://broker:8883', prefix: 'x/y', idPrefix: 'HCM_1',
      hospitalsFile: 'h.json', speedKmh: 60, timeScale: 100, intervalMs: 50, idle: 'park', seed: 42,
      roadGraph: 'monaco.llrg', credentialsFile: 'sim-credentials.json',
    });
  });

  it('reads MQTT_URL and MQTT_PREFIX from the environment; flags win', () => {
    const env = { MQTT_URL: 'mqtt://env:1883', MQTT_PREFIX: 'env/p' };
    expect(ok([], env)).toMatchObject({ mqttUrl: 'mqtt://env:1883', prefix: 'env/p' });
    expect(ok(['--mqtt-url', 'mqtt://flag:1', '--prefix', 'flag'], env)).toMatchObject({ mqttUrl: 'mqtt://flag:1', prefix: 'flag' });
  });

  it('treats empty MQTT_URL / MQTT_PREFIX as unset', () => {
    expect(ok([], { MQTT_URL: '', MQTT_PREFIX: '' })).toMatchObject({ mqttUrl: 'mqtt://127.0.0.1:1883', prefix: 'lifeline/v1' });
  });

  it('--help', () => {
    expect(parseCliArgs(['--help'])).toEqual({ ok: true, help: true });
    expect(parseCliArgs(['-h'])).toEqual({ ok: true, help: true });
  });

  it.each([
    [['--count', '0'], /--count must be an integer from 1/],
    [['--count', '2.5'], /--count/],
    [['--count', 'lots'], /--count .* got 'lots'/],
    [['--count', ''], /--count/],
    [['--center', '10.98'], /--center must be LAT,LNG/],
    [['--center', '91,0'], /--center/],
    [['--center', '10,200'], /--center/],
    [['--center', '10,abc'], /--center/],
    [['--center', '1,2,3'], /--center/],
    [['--radius-km', '-1'], /--radius-km/],
    [['--speed-kmh', '0'], /--speed-kmh/],
    [['--time-scale', '-5'], /--time-scale/],
    [['--interval-ms', '5'], /--interval-ms/],
    [['--idle', 'dance'], /--idle/],
    [['--seed', '-1'], /--seed/],
    [['--id-prefix', 'B/D'], /--id-prefix/],
    [['--id-prefix', 'B+'], /--id-prefix/],
    [['--prefix', 'a/#'], /--prefix/],
    [['--prefix', '/a'], /--prefix/],
    [['--mqtt-url', 'localhost:1883'], /--mqtt-url must look like/],
    [['--road-graph', ''], /--road-graph must name a road graph file/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--count'], /argument missing/],
    [['stray'], /positional/i],
    // node's parseArgs reads a leading '-' as the next flag; the message says to use '='.
    [['--center', '-33.9,151.2'], /--center=-XYZ/],
  ])('rejects %j', (argv, message) => {
    const r = parseCliArgs(argv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('reports every bad flag at once', () => {
    const r = parseCliArgs(['--count', '0', '--speed-kmh', 'x']);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.split('\n')).toHaveLength(2);
  });
});
