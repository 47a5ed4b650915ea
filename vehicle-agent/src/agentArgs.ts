import { parseArgs } from 'node:util';
import { DEFAULT_TOPIC_PREFIX, type LatLng } from '@lifeline/protocol';
import { DEFAULT_REPORTING_POLICY, type ReportingPolicy } from './core/policy.ts';
import { DEFAULT_SPOOL_LIMITS } from './core/spool.ts';
import { DEFAULT_FORWARDING } from './mqtt/vehicle-agent.ts';
import { brokerFlags, numberFlag, parseLatLng, type FlagValues } from './args.ts';
import { DEFAULT_MQTT_URL } from './options.ts';
import { DEFAULT_PANEL_PORT } from './panel/server.ts';

export const AGENT_USAGE = `Usage: vehicle-agent agent --id UNIT (--nmea PATH | --gpsd HOST:PORT | --simulate[=LAT,LNG]) [options]
Runs the vehicle agent of one real ambulance: GPS → reporting policy → on-disk spool → MQTT, and
the crew panel (a local web page for the cab tablet).

GPS source (one of):
  --nmea PATH            NMEA 0183 from a serial device (/dev/ttyUSB0; set its baud rate with stty)
                         or a captured log file (replayed at --nmea-speed, default 1 = real time)
  --gpsd HOST:PORT       gpsd's JSON reports (default port 2947)
  --simulate[=LAT,LNG]   a simulated receiver driving around LAT,LNG (default 10.98,106.65), towards
                         the scene and the hospital when on a job
MQTT:
  --mqtt-url URL         broker (default env MQTT_URL or ${DEFAULT_MQTT_URL}); mqtts:// for TLS
  --prefix P             topic prefix (default env MQTT_PREFIX or ${DEFAULT_TOPIC_PREFIX})
  --username U           per-unit credentials (POST /api/vehicles/:id/credentials);
                         the password comes from env MQTT_PASSWORD (not the command line)
  --ca FILE --cert FILE --key FILE   TLS: CA certificate, client certificate and key (PEM)
  --insecure             accept a broker certificate that does not verify (tests only)
Spool and panel:
  --spool-dir DIR        on-disk spool (default ./spool-UNIT)
  --max-positions N      spool bound (default ${DEFAULT_SPOOL_LIMITS.maxPositions}); when full the oldest half is thinned
  --resend-after-ms MS   no confirmation for this long → publish unconfirmed positions again (default ${DEFAULT_FORWARDING.resendAfterMs})
  --panel-port N         crew panel port (default ${DEFAULT_PANEL_PORT}; 0 = any free port)
  --no-panel             do not serve the crew panel
  --panel-host H         default 127.0.0.1; 0.0.0.0 to serve the tablet over the cab's network
  --hospitals FILE       JSON [{id,name,location:{lat,lng}}] the crew can choose for transport
Reporting policy:
  --moving-interval-ms MS  while moving or on a job (default ${DEFAULT_REPORTING_POLICY.movingIntervalMs})
  --parked-interval-ms MS  while parked (default ${DEFAULT_REPORTING_POLICY.parkedIntervalMs})
  --min-interval-ms MS     never more often (default ${DEFAULT_REPORTING_POLICY.minIntervalMs})
  --distance-m M           report after moving this far (default ${DEFAULT_REPORTING_POLICY.distanceM}; 0 = off)
  --heading-deg D          report on a turn of this much (default ${DEFAULT_REPORTING_POLICY.headingChangeDeg}; 0 = off)
Simulation only:
  --sim-speed-kmh KMH      (default 40)   --sim-interval-ms MS  ms between fixes (default 1000)
  -h, --help

Ctrl-C or SIGTERM stops cleanly; kill -9 or power loss loses nothing that was spooled.`;

export type GpsChoice = { kind: 'nmea'; path: string; speed: number } | { kind: 'gpsd'; host: string; port: number } | { kind: 'simulate'; center: LatLng; speedKmh: number; intervalMs: number };

export interface AgentCliOptions {
  id: string;
  gps: GpsChoice;
  mqttUrl: string;
  prefix: string;
  username: string | undefined;
  password: string | undefined;
  caFile: string | null;
  certFile: string | null;
  keyFile: string | null;
  insecure: boolean;
  spoolDir: string;
  maxPositions: number;
  resendAfterMs: number;
  panelPort: number | null;
  panelHost: string;
  hospitalsFile: string | null;
  policy: ReportingPolicy;
}

export type AgentCliParse = { ok: true; help: true } | { ok: true; help: false; options: AgentCliOptions } | { ok: false; error: string };

/** Parses `agent …` (the arguments after `agent`). Pure. */
export function parseAgentArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): AgentCliParse {
  let values: FlagValues;
  const str = { type: 'string' } as const;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        id: str, nmea: str, gpsd: str, simulate: { type: 'string' }, 'nmea-speed': str,
        'mqtt-url': str, prefix: str, username: str, ca: str, cert: str, key: str, insecure: { type: 'boolean' },
        'spool-dir': str, 'max-positions': str, 'resend-after-ms': str, 'panel-port': str, 'no-panel': { type: 'boolean' }, 'panel-host': str, hospitals: str,
        'moving-interval-ms': str, 'parked-interval-ms': str, 'min-interval-ms': str, 'distance-m': str, 'heading-deg': str,
        'sim-speed-kmh': str, 'sim-interval-ms': str,
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    // `--simulate` without a value: parseArgs wants one for a string option.
    const i = argv.indexOf('--simulate');
    if (i >= 0 && (i === argv.length - 1 || argv[i + 1]!.startsWith('--'))) return parseAgentArgs([...argv.slice(0, i), '--simulate=', ...argv.slice(i + 1)], env);
    return { ok: false, error: (err as Error).message };
  }
  if (values.help) return { ok: true, help: true };
  const get = (k: string) => values[k] as string | undefined;
  const errors: string[] = [];
  const num = numberFlag(values, errors);
  const ms = (flag: string, dflt: number) => num(flag, dflt, (n) => Number.isInteger(n) && n >= 0 && n <= 86_400_000, 'an integer number of ms from 0 to 86400000');

  const id = get('id') ?? '';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) errors.push(`--id must be 1–64 of A-Z a-z 0-9 _ - (the unit id), got '${id}'`);

  const sources = ['nmea', 'gpsd', 'simulate'].filter((k) => get(k) !== undefined);
  let gps: GpsChoice | null = null;
  if (sources.length !== 1) errors.push('give exactly one GPS source: --nmea PATH, --gpsd HOST:PORT or --simulate');
  else if (sources[0] === 'nmea') {
    const speed = num('nmea-speed', 1, (n) => n > 0 && n <= 10_000, 'a replay speed above 0');
    gps = { kind: 'nmea', path: get('nmea')!, speed };
  } else if (sources[0] === 'gpsd') {
    const m = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(get('gpsd')!);
    if (!m) errors.push(`--gpsd must be HOST or HOST:PORT, got '${get('gpsd')}'`);
    else gps = { kind: 'gpsd', host: m[1]!, port: m[2] ? Number(m[2]) : 2947 };
  } else {
    const raw = get('simulate')!;
    let center: LatLng = { lat: 10.98, lng: 106.65 };
    if (raw !== '') {
      const parsed = parseLatLng(raw);
      if (!parsed) errors.push(`--simulate must be LAT,LNG, got '${raw}'`);
      else center = parsed;
    }
    const speedKmh = num('sim-speed-kmh', 40, (n) => n > 0 && n <= 300, 'a speed in km/h above 0 and up to 300');
    const intervalMs = num('sim-interval-ms', 1000, (n) => Number.isInteger(n) && n >= 10, 'an integer number of ms ≥ 10');
    gps = { kind: 'simulate', center, speedKmh, intervalMs };
  }

  const { mqttUrl, prefix } = brokerFlags(values, env, errors);
  const username = get('username');
  if (username !== undefined && env.MQTT_PASSWORD === undefined) errors.push('--username needs the password in env MQTT_PASSWORD');

  const panelPort = num('panel-port', DEFAULT_PANEL_PORT, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port from 0 to 65535');
  const policy: ReportingPolicy = {
    movingIntervalMs: ms('moving-interval-ms', DEFAULT_REPORTING_POLICY.movingIntervalMs),
    parkedIntervalMs: ms('parked-interval-ms', DEFAULT_REPORTING_POLICY.parkedIntervalMs),
    minIntervalMs: ms('min-interval-ms', DEFAULT_REPORTING_POLICY.minIntervalMs),
    distanceM: num('distance-m', DEFAULT_REPORTING_POLICY.distanceM, (n) => n >= 0, 'metres ≥ 0'),
    headingChangeDeg: num('heading-deg', DEFAULT_REPORTING_POLICY.headingChangeDeg, (n) => n >= 0 && n <= 180, 'degrees from 0 to 180'),
    movingSpeedMps: DEFAULT_REPORTING_POLICY.movingSpeedMps,
  };
  if (policy.movingIntervalMs < policy.minIntervalMs || policy.parkedIntervalMs < policy.minIntervalMs) errors.push('--moving-interval-ms and --parked-interval-ms must be ≥ --min-interval-ms');

  const maxPositions = num('max-positions', DEFAULT_SPOOL_LIMITS.maxPositions, (n) => Number.isInteger(n) && n >= 10, 'an integer ≥ 10');
  const resendAfterMs = ms('resend-after-ms', DEFAULT_FORWARDING.resendAfterMs);

  if (errors.length > 0 || !gps) return { ok: false, error: errors.join('\n') };
  return {
    ok: true,
    help: false,
    options: {
      id,
      gps,
      mqttUrl,
      prefix,
      username,
      password: username !== undefined ? env.MQTT_PASSWORD : undefined,
      caFile: get('ca') ?? null,
      certFile: get('cert') ?? null,
      keyFile: get('key') ?? null,
      insecure: values.insecure === true,
      spoolDir: get('spool-dir') ?? `spool-${id}`,
      maxPositions,
      resendAfterMs,
      panelPort: values['no-panel'] === true ? null : panelPort,
      panelHost: get('panel-host') ?? '127.0.0.1',
      hospitalsFile: get('hospitals') ?? null,
      policy,
    },
  };
}
