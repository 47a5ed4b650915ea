/**
 * The simulated fleet's command line (see USAGE in args.ts), as a function so a host can add what
 * this package does not have: the server's simulator entry (server/src/cli/simulate.ts) passes a
 * road graph reader for `--road-graph`. Exit codes: 0 after Ctrl-C / SIGTERM, 1 when the fleet
 * cannot start (e.g. broker unreachable), 2 for bad flags, a bad hospitals file or road graph.
 */
import { parseCliArgs, USAGE } from './args.ts';
import { consoleLog as log, fail } from './cliSupport.ts';
import type { RoadNetwork } from './core/roads.ts';
import { startSimulatedFleet, type SimulatedFleet } from './fleet.ts';
import { loadHospitals, loadPasswords } from './hospitals.ts';

/** Reads a road graph file; `summary` is logged (what was loaded, its attribution). */
export type RoadGraphReader = (file: string) => Promise<{ ok: true; roads: RoadNetwork; summary: string } | { ok: false; error: string }>;

export interface FleetCliOptions {
  env?: NodeJS.ProcessEnv;
  /** How to read `--road-graph`; without it the flag is refused with a hint. */
  readRoadGraph?: RoadGraphReader;
  /** How the user ran it, for the usage text (e.g. `npm run simulate --`); default `vehicle-agent`. */
  name?: string;
}

export async function runFleetCli(argv: readonly string[], o: FleetCliOptions = {}): Promise<void> {
  const parsed = parseCliArgs(argv, o.env ?? process.env);
  const usage = o.name ? USAGE.replace('Usage: vehicle-agent [options]', `Usage: ${o.name} [options]`) : USAGE;
  if (!parsed.ok) fail(2, `vehicle-agent: ${parsed.error}\n\n${usage}`);
  if (parsed.help) {
    console.log(usage);
    return;
  }
  const opts = parsed.options;
  let hospitals: Awaited<ReturnType<typeof loadHospitals>> = { ok: true, value: [] };
  if (opts.hospitalsFile !== null) hospitals = await loadHospitals(opts.hospitalsFile);
  if (!hospitals.ok) fail(2, `vehicle-agent: ${hospitals.error}`);
  let passwords: Record<string, string> | undefined;
  if (opts.credentialsFile !== null) {
    const read = await loadPasswords(opts.credentialsFile);
    if (!read.ok) fail(2, `vehicle-agent: ${read.error}`);
    passwords = read.value;
  }
  let roads: RoadNetwork | undefined;
  if (opts.roadGraph !== null) {
    if (!o.readRoadGraph) {
      fail(2, 'vehicle-agent: --road-graph needs the road graph reader of the server package; run the simulator as `npm run simulate -- …` (same flags)');
    }
    const read = await o.readRoadGraph(opts.roadGraph);
    if (!read.ok) fail(2, `vehicle-agent: ${read.error}`);
    roads = read.roads;
    log('info', `driving on roads: ${read.summary}`);
  }

  let fleet: SimulatedFleet | undefined;
  let signalled = false;
  const shutdown = async () => {
    if (!fleet) return; // still starting: runFleetCli() stops the fleet as soon as it exists
    await fleet.stop();
    const stats = Object.values(fleet.stats());
    const positions = stats.reduce((n, s) => n + s.positionsPublished, 0);
    log('info', `stopped ${stats.length} vehicles after ${positions} positions; disconnected cleanly`);
    // Every client and timer is closed, so the process ends on its own; this only guards a straggler.
    process.exitCode = 0;
    setTimeout(() => process.exit(0), 2000).unref();
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) {
      console.error(`vehicle-agent: ${sig} again, exiting without waiting`);
      process.exit(130);
    }
    signalled = true;
    log('info', `${sig}: stopping`);
    void shutdown();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Started by the server (SIM_VEHICLES), which names itself in LIFELINE_PARENT_PID: when it ends,
  // even by kill -9, we are re-parented, and the fleet stops instead of living on as an orphan.
  // (An IPC channel's 'disconnect' was tried first: it was not delivered in about 1 of 10 kills.)
  const parent = Number(process.env.LIFELINE_PARENT_PID);
  if (parent > 0) {
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      // Its broker may have gone with it (the embedded one): a clean stop is tried, not awaited forever.
      setTimeout(() => process.exit(0), 3000).unref();
      if (!signalled) onSignal('SIGTERM');
    }, 500);
    watch.unref();
  }

  try {
    fleet = await startSimulatedFleet({
      count: opts.count,
      center: opts.center,
      radiusKm: opts.radiusKm,
      mqttUrl: opts.mqttUrl,
      prefix: opts.prefix,
      idPrefix: opts.idPrefix,
      hospitals: hospitals.value,
      speedKmh: opts.speedKmh,
      timeScale: opts.timeScale,
      intervalMs: opts.intervalMs,
      idle: opts.idle,
      seed: opts.seed,
      roads,
      ...(passwords ? { passwords } : {}),
      log,
    });
  } catch (err) {
    fail(1, `vehicle-agent: cannot start the fleet: ${(err as Error).message}\nIs the broker running at ${opts.mqttUrl}? Set --mqtt-url or MQTT_URL.`);
  }
  log('info', `${fleet.ids.length} vehicles (${fleet.ids[0]}…${fleet.ids.at(-1)}) publishing to ${opts.mqttUrl} under ${opts.prefix}/ (seed ${fleet.seed})`);
  if (signalled) await shutdown();
}
