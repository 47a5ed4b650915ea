/**
 * Simulated ambulance fleet (the default mode), or `agent …`: one real ambulance (agentCli.ts).
 * Usage: see USAGE in args.ts / AGENT_USAGE in agentArgs.ts, or `--help`.
 * Exit codes: 0 after Ctrl-C / SIGTERM, 1 when the fleet cannot start (e.g. broker unreachable),
 * 2 for bad flags or a bad hospitals file.
 */
import { parseCliArgs, USAGE } from './args.ts';
import { startSimulatedFleet, type SimulatedFleet } from './fleet.ts';
import { loadHospitals } from './hospitals.ts';
import type { Log } from './options.ts';

const log: Log = (level, msg, data) => {
  const line = `${new Date().toISOString()} ${level} ${msg}${data ? ' ' + JSON.stringify(data) : ''}`;
  (level === 'info' ? console.log : console.error)(line);
};

function fail(code: number, message: string): never {
  console.error(message);
  process.exit(code);
}

async function main(): Promise<void> {
  const parsed = parseCliArgs(process.argv.slice(2), process.env);
  if (!parsed.ok) fail(2, `vehicle-agent: ${parsed.error}\n\n${USAGE}`);
  if (parsed.help) {
    console.log(USAGE);
    return;
  }
  const o = parsed.options;
  let hospitals: Awaited<ReturnType<typeof loadHospitals>> = { ok: true, value: [] };
  if (o.hospitalsFile !== null) hospitals = await loadHospitals(o.hospitalsFile);
  if (!hospitals.ok) fail(2, `vehicle-agent: ${hospitals.error}`);

  let fleet: SimulatedFleet | undefined;
  let signalled = false;
  const shutdown = async () => {
    if (!fleet) return; // still starting: main() stops the fleet as soon as it exists
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

  try {
    fleet = await startSimulatedFleet({
      count: o.count,
      center: o.center,
      radiusKm: o.radiusKm,
      mqttUrl: o.mqttUrl,
      prefix: o.prefix,
      idPrefix: o.idPrefix,
      hospitals: hospitals.value,
      speedKmh: o.speedKmh,
      timeScale: o.timeScale,
      intervalMs: o.intervalMs,
      idle: o.idle,
      seed: o.seed,
      log,
    });
  } catch (err) {
    fail(1, `vehicle-agent: cannot start the fleet: ${(err as Error).message}\nIs the broker running at ${o.mqttUrl}? Set --mqtt-url or MQTT_URL.`);
  }
  log('info', `${fleet.ids.length} vehicles (${fleet.ids[0]}…${fleet.ids.at(-1)}) publishing to ${o.mqttUrl} under ${o.prefix}/ (seed ${fleet.seed})`);
  if (signalled) await shutdown();
}

const run = process.argv[2] === 'agent' ? import('./agentCli.ts').then((m) => m.runAgentCli(process.argv.slice(3))) : main();
run.catch((err: unknown) => {
  console.error('vehicle-agent: unexpected error', err);
  process.exit(1);
});
