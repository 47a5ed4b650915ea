/**
 * `vehicle-agent agent …`: one real ambulance. Exit codes: 0 after Ctrl-C / SIGTERM, 1 when it
 * cannot start (spool directory not writable, panel port taken), 2 for bad flags or files.
 */
import { readFile, stat } from 'node:fs/promises';
import type { HospitalSummary, LatLng } from '@lifeline/protocol';
import { AGENT_USAGE, parseAgentArgs, type AgentCliOptions } from './agentArgs.ts';
import { consoleLog as log, fail } from './cliSupport.ts';
import { gpsdSource } from './gps/gpsdSource.ts';
import { nmeaDeviceSource, nmeaFileSource } from './gps/nmeaSource.ts';
import { simulatedSource } from './gps/simulatedSource.ts';
import type { GpsSource } from './gps/types.ts';
import { loadHospitals } from './hospitals.ts';
import { startVehicleAgent, type VehicleAgent } from './mqtt/vehicle-agent.ts';

async function sourceFactory(o: AgentCliOptions, agentRef: () => VehicleAgent | null): Promise<() => GpsSource> {
  const g = o.gps;
  if (g.kind === 'gpsd') return () => gpsdSource({ host: g.host, port: g.port });
  if (g.kind === 'simulate') {
    // Drive to the scene once en route, to the hospital once transporting; wander otherwise.
    const target = (): LatLng | null => {
      const s = agentRef()?.snapshot();
      const a = s?.memo.assignment;
      if (!s || !a) return null;
      if (s.memo.status === 'en_route' || s.memo.status === 'on_scene') return a.destination;
      if (s.memo.status === 'transporting' || s.memo.status === 'at_hospital') {
        return (s.hospitals.find((h) => h.id === s.memo.hospitalId) ?? a.hospital)?.location ?? null;
      }
      return null;
    };
    return () => simulatedSource({ start: g.center, speedKmh: g.speedKmh, intervalMs: g.intervalMs, target });
  }
  let kind: 'file' | 'device';
  try {
    const st = await stat(g.path);
    kind = st.isFile() ? 'file' : 'device';
  } catch (err) {
    fail(2, `vehicle-agent: cannot open --nmea ${g.path}: ${(err as Error).message}`);
  }
  return kind === 'file' ? () => nmeaFileSource(g.path, { speed: g.speed }) : () => nmeaDeviceSource(g.path);
}

export async function runAgentCli(argv: readonly string[]): Promise<void> {
  const parsed = parseAgentArgs(argv, process.env);
  if (!parsed.ok) fail(2, `vehicle-agent agent: ${parsed.error}\n\n${AGENT_USAGE}`);
  if (parsed.help) {
    console.log(AGENT_USAGE);
    return;
  }
  const o = parsed.options;
  let hospitals: HospitalSummary[] = [];
  if (o.hospitalsFile) {
    const h = await loadHospitals(o.hospitalsFile);
    if (!h.ok) fail(2, `vehicle-agent agent: ${h.error}`);
    hospitals = h.value;
  }
  const readPem = async (flag: string, file: string | null) => {
    if (!file) return undefined;
    try {
      return await readFile(file);
    } catch (err) {
      fail(2, `vehicle-agent agent: cannot read ${flag} ${file}: ${(err as Error).message}`);
    }
  };
  const [ca, cert, key] = [await readPem('--ca', o.caFile), await readPem('--cert', o.certFile), await readPem('--key', o.keyFile)];

  let agent: VehicleAgent | null = null;
  const source = await sourceFactory(o, () => agent);
  try {
    agent = await startVehicleAgent({
      id: o.id,
      source,
      mqtt: { url: o.mqttUrl, username: o.username, password: o.password, ca, cert, key, ...(o.insecure ? { rejectUnauthorized: false } : {}) },
      spoolDir: o.spoolDir,
      prefix: o.prefix,
      policy: o.policy,
      spool: { maxPositions: o.maxPositions },
      forwarding: { resendAfterMs: o.resendAfterMs },
      hospitals,
      ...(o.panelPort !== null ? { panel: { port: o.panelPort, host: o.panelHost } } : {}),
      log,
    });
  } catch (err) {
    fail(1, `vehicle-agent agent: cannot start: ${(err as Error).message}`);
  }
  const a = agent;
  const s = a.snapshot();
  log('info', `agent ${o.id}: ${o.gps.kind} → ${o.mqttUrl} under ${o.prefix}/; spool ${o.spoolDir} holds ${s.spool.positions} positions and ${s.spool.messages} crew messages`);
  if (a.panelUrl) log('info', `crew panel: ${a.panelUrl}`);

  let signalled = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) process.exit(130);
    signalled = true;
    log('info', `${sig}: stopping`);
    void a.stop().then(() => {
      process.exitCode = 0;
      setTimeout(() => process.exit(0), 2000).unref();
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
