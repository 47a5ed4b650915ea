import { parseArgs } from 'node:util';
import { DEFAULT_TOPIC_PREFIX, type LatLng } from '@lifeline/protocol';
import type { IdleMode } from './core/sim.ts';
import { DEFAULT_MQTT_URL } from './options.ts';

export const USAGE = `Usage: vehicle-agent [options]
Runs simulated ambulances that publish positions and statuses over MQTT and follow assignments.
For one real ambulance (GPS receiver, spool, crew panel): vehicle-agent agent --help

  --count N              number of vehicles (default 10)
  --center LAT,LNG       centre of the start area (default 10.98,106.65, Thu Dau Mot, Binh Duong);
                         negative values need '=': --center=-33.87,151.21
  --radius-km KM         start points are within this radius of the centre (default 8)
  --mqtt-url URL         broker (default env MQTT_URL or ${DEFAULT_MQTT_URL})
  --prefix P             topic prefix (default env MQTT_PREFIX or ${DEFAULT_TOPIC_PREFIX})
  --id-prefix P          ids are P-001, P-002… (default BD)
  --hospitals FILE       JSON [{id,name,location:{lat,lng}}]; nearest is used when an assignment names none
  --speed-kmh KMH        driving speed on a job (default 40)
  --time-scale X         simulated seconds per real second (default 1)
  --interval-ms MS       real milliseconds between positions (default 1000)
  --idle wander|park     what available units do (default wander)
  --seed N               reproducible start points and idle tracks
  --credentials FILE     JSON {"<unit id>": "<password>"}: each unit logs in as its id (the server
                         writes this file for its demo fleet; the passwords stay off the command line)
  --road-graph FILE      road graph (.llrg, from npm run import-osm): units start on roads and drive
                         along them; read by the server's router, so run this through
                         npm run simulate (the server does when OSM_GRAPH is set)
  -h, --help             this text

Ctrl-C or SIGTERM stops publishing, disconnects cleanly and exits 0.`;

export interface CliOptions {
  count: number;
  center: LatLng;
  radiusKm: number;
  mqttUrl: string;
  prefix: string;
  idPrefix: string;
  hospitalsFile: string | null;
  speedKmh: number;
  timeScale: number;
  intervalMs: number;
  idle: IdleMode;
  seed: number | undefined;
  /** Road graph file to drive on; null = straight lines. */
  roadGraph: string | null;
  /** JSON file of per-unit MQTT passwords; null = anonymous. */
  credentialsFile: string | null;
}

export type CliParse = { ok: true; help: true } | { ok: true; help: false; options: CliOptions } | { ok: false; error: string };

type Env = Record<string, string | undefined>;

/** parseArgs' values, as both command lines read them. */
export type FlagValues = Record<string, string | boolean | undefined>;

/**
 * A reader of numeric flags: a flag's number, or `dflt` when it is absent; a flag that is not a
 * finite number passing `check` adds `--flag must be {what}, got '{raw}'` to `errors`.
 */
export function numberFlag(values: FlagValues, errors: string[]) {
  return (flag: string, dflt: number, check: (n: number) => boolean, what: string): number => {
    const raw = values[flag] as string | undefined;
    if (raw === undefined) return dflt;
    const n = raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isFinite(n) || !check(n)) errors.push(`--${flag} must be ${what}, got '${raw}'`);
    return n;
  };
}

/** "LAT,LNG" in degrees, or null when it is not two numbers within range. */
export function parseLatLng(raw: string): LatLng | null {
  const parts = raw.split(',').map((p) => (p.trim() === '' ? NaN : Number(p)));
  const [lat, lng] = parts;
  if (parts.length !== 2 || !Number.isFinite(lat) || !Number.isFinite(lng) || Math.abs(lat!) > 90 || Math.abs(lng!) > 180) return null;
  return { lat: lat!, lng: lng! };
}

/** `--mqtt-url` and `--prefix`, else env MQTT_URL / MQTT_PREFIX, else the defaults; a bad one adds to `errors`. */
export function brokerFlags(values: FlagValues, env: Env, errors: string[]): { mqttUrl: string; prefix: string } {
  // An empty variable (`MQTT_URL=` in a .env file) means unset.
  const mqttUrl = (values['mqtt-url'] as string | undefined) ?? (env.MQTT_URL || undefined) ?? DEFAULT_MQTT_URL;
  if (!/^(mqtts?|wss?|tcp|ssl):\/\/[^\s]+$/.test(mqttUrl)) errors.push(`--mqtt-url must look like mqtt://host:port, got '${mqttUrl}'`);

  const prefix = (values.prefix as string | undefined) ?? (env.MQTT_PREFIX || undefined) ?? DEFAULT_TOPIC_PREFIX;
  if (prefix === '' || /[#+\0]/.test(prefix) || prefix.startsWith('/') || prefix.endsWith('/')) {
    errors.push(`--prefix must be a topic without wildcards or leading/trailing '/', got '${prefix}'`);
  }
  return { mqttUrl, prefix };
}

/** Parses the command line (without node and script). Pure: no I/O, so every bad flag is unit-testable. */
export function parseCliArgs(argv: readonly string[], env: Env = {}): CliParse {
  // `pnpm start -- --count 3` passes the `--` through; it is not an end-of-options marker here.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let values: FlagValues;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        count: { type: 'string' },
        center: { type: 'string' },
        'radius-km': { type: 'string' },
        'mqtt-url': { type: 'string' },
        prefix: { type: 'string' },
        'id-prefix': { type: 'string' },
        hospitals: { type: 'string' },
        'speed-kmh': { type: 'string' },
        'time-scale': { type: 'string' },
        'interval-ms': { type: 'string' },
        idle: { type: 'string' },
        seed: { type: 'string' },
        'road-graph': { type: 'string' },
        credentials: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  if (values.help) return { ok: true, help: true };
  const str = (k: string) => values[k] as string | undefined;
  const errors: string[] = [];
  const num = numberFlag(values, errors);

  const count = num('count', 10, (n) => Number.isInteger(n) && n >= 1 && n <= 10_000, 'an integer from 1 to 10000');
  const radiusKm = num('radius-km', 8, (n) => n >= 0 && n <= 1000, 'a distance in km from 0 to 1000');
  const speedKmh = num('speed-kmh', 40, (n) => n > 0 && n <= 300, 'a speed in km/h above 0 and up to 300');
  const timeScale = num('time-scale', 1, (n) => n > 0 && n <= 10_000, 'a factor above 0 and up to 10000');
  const intervalMs = num('interval-ms', 1000, (n) => Number.isInteger(n) && n >= 10 && n <= 3_600_000, 'an integer number of ms from 10 to 3600000');
  const seedRaw = str('seed');
  const seed = seedRaw === undefined ? undefined : num('seed', 0, (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32, 'an integer from 0 to 4294967295');

  let center: LatLng = { lat: 10.98, lng: 106.65 };
  const centerRaw = str('center');
  if (centerRaw !== undefined) {
    const parsed = parseLatLng(centerRaw);
    if (!parsed) errors.push(`--center must be LAT,LNG in degrees (e.g. 10.98,106.65), got '${centerRaw}'`);
    else center = parsed;
  }

  const idPrefix = str('id-prefix') ?? 'BD';
  // The id becomes a topic level: `{idPrefix}-{NNNNN}` must stay within [A-Za-z0-9_-]{1,64}.
  if (!/^[A-Za-z0-9_-]{1,50}$/.test(idPrefix)) errors.push(`--id-prefix must be 1–50 of A-Z a-z 0-9 _ -, got '${idPrefix}'`);

  const { mqttUrl, prefix } = brokerFlags(values, env, errors);

  const idle = str('idle') ?? 'wander';
  if (idle !== 'wander' && idle !== 'park') errors.push(`--idle must be 'wander' or 'park', got '${idle}'`);

  const roadGraph = str('road-graph') ?? null;
  if (roadGraph === '') errors.push("--road-graph must name a road graph file (.llrg)");

  if (errors.length > 0) return { ok: false, error: errors.join('\n') };
  return {
    ok: true,
    help: false,
    options: {
      count,
      center,
      radiusKm,
      mqttUrl,
      prefix,
      idPrefix,
      hospitalsFile: str('hospitals') ?? null,
      speedKmh,
      timeScale,
      intervalMs,
      idle: idle as IdleMode,
      seed,
      roadGraph,
      credentialsFile: str('credentials') ?? null,
    },
  };
}
