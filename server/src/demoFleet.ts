import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fleetIds } from '@lifeline/vehicle-agent';
import type { Config } from './config.ts';
import type { Db } from './adapters/store/db.ts';
import { issueUnitCredentials } from './adapters/store/unitCredentials.ts';

/**
 * The demo's simulated units log in like real ones: with the embedded broker requiring credentials
 * (the default), each gets fresh credentials at every start, written to `DATA_DIR/sim-credentials.json`
 * (mode 600) for the simulator's `--credentials`. Returns that file, or null when the units connect
 * without credentials (MQTT_AUTH=0, or an external broker, whose password file the operator manages).
 */
export async function provisionSimulatedUnits(db: Db, cfg: Config, idPrefix: string): Promise<string | null> {
  if (cfg.simVehicles === 0 || cfg.mqttUrl || !cfg.mqttAuth) return null;
  const passwords: Record<string, string> = {};
  for (const id of fleetIds(idPrefix, cfg.simVehicles)) passwords[id] = (await issueUnitCredentials(db, id)).password;
  const file = path.join(cfg.dataDir, 'sim-credentials.json');
  await writeFile(file, JSON.stringify(passwords), { mode: 0o600 });
  return file;
}
