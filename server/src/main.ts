import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './config.ts';
import { provisionSimulatedUnits } from './demoFleet.ts';
import { createLogger } from './logger.ts';
import { startServer } from './server.ts';
import { ensureDemoUsers } from './adapters/store/demoUsers.ts';
import { listHospitals } from './adapters/store/vehicles.ts';
import { demoAreaOf } from './adapters/store/seed.ts';

// The simulated fleet, with the road graph reader for --road-graph (see cli/simulate.ts).
const SIM_CLI = fileURLToPath(new URL('./cli/simulate.ts', import.meta.url));

/**
 * Stops the simulator. Ctrl-C in a terminal reaches the whole process group, so on SIGINT it is
 * stopping already and a second signal would make it skip its clean stop: it is only told (SIGTERM)
 * if it is still running after a moment, i.e. when the SIGINT was sent to this process alone.
 */
async function stopChild(child: ChildProcess, signal: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timers: NodeJS.Timeout[] = [];
  if (signal === 'SIGINT') timers.push(setTimeout(() => child.kill('SIGTERM'), 3000));
  else child.kill('SIGTERM');
  timers.push(setTimeout(() => child.kill('SIGKILL'), 8000));
  await exited;
  for (const t of timers) clearTimeout(t);
}

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(cfg.logLevel);
  let server;
  try {
    server = await startServer(cfg, { logger });
  } catch (err) {
    const e = err as Error;
    logger.fatal({ err: e.name === 'ConfigError' ? undefined : e }, e.message);
    console.error(`\nLifeline could not start: ${e.message}`);
    process.exit(1);
  }

  // Unit ids name the demo's area (BD-001 in Bình Dương, HN-001 in Hà Nội).
  const unitPrefix = demoAreaOf(server.mapArea)?.unitPrefix ?? 'U';
  // Demo users with printed passwords: the demo on embedded PostgreSQL, or when DEMO_USERS=1 asks.
  const logins = cfg.demoUsers ? await ensureDemoUsers(server.db, cfg.dataDir, `${unitPrefix}-001`) : [];

  let sim: ChildProcess | null = null;
  if (cfg.simVehicles > 0) {
    const credentialsFile = await provisionSimulatedUnits(server.db, cfg, unitPrefix);
    const hospitalsFile = path.join(cfg.dataDir, 'sim-hospitals.json');
    await writeFile(hospitalsFile, JSON.stringify(await listHospitals(server.db)));
    sim = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        SIM_CLI,
        '--count',
        String(cfg.simVehicles),
        // '=' form: a southern latitude starts with '-', which would read as a flag.
        `--center=${server.mapArea.center.lat},${server.mapArea.center.lng}`,
        '--radius-km',
        String(server.mapArea.radiusKm),
        // With a road graph the units start on its roads and drive along them.
        ...(cfg.osmGraph ? ['--road-graph', cfg.osmGraph] : []),
        '--mqtt-url',
        server.mqttUrl,
        '--prefix',
        cfg.mqttPrefix,
        '--hospitals',
        hospitalsFile,
        ...(credentialsFile ? ['--credentials', credentialsFile] : []),
        '--id-prefix',
        unitPrefix,
      ],
      // LIFELINE_PARENT_PID: the simulator stops when we end, however we end (vehicle-agent fleetCli.ts).
      { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, LOG_LEVEL: cfg.logLevel, LIFELINE_PARENT_PID: String(process.pid) } },
    );
    sim.on('exit', (code, signal) => {
      if (!stopping) logger.warn({ code, signal }, 'vehicle simulator exited');
      sim = null;
    });
  }

  const shown = cfg.host === '0.0.0.0' ? server.url.replace('127.0.0.1', 'localhost') : server.url;
  const loginLines = logins.map((l) => `    ${l.role.padEnd(11)} ${l.username} / ${l.password}${l.hospitalId ? `  (${l.hospitalId})` : ''}${l.vehicleId ? `  (unit ${l.vehicleId})` : ''}`);
  console.log(
    `\n  Lifeline is running: ${shown}\n  MQTT broker: ${server.mqttUrl}${cfg.simVehicles ? `\n  Simulated units: ${cfg.simVehicles}` : ''}` +
      (loginLines.length ? `\n  Demo logins (kept in ${cfg.dataDir}/demo-logins.json):\n${loginLines.join('\n')}` : '') +
      `\n  Press Ctrl-C to stop.\n`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Every step below is bounded (the writer by SHUTDOWN_DRAIN_SEC); this is the backstop for a bug.
    setTimeout(() => {
      logger.error({ signal }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, (cfg.shutdownDrainSec + 20) * 1000).unref();
    if (sim) await stopChild(sim, signal);
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

void main();
