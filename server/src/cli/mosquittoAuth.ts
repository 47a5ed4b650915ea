/**
 * Exports per-unit MQTT credentials for Mosquitto:
 *   MQTT_PASSWORD=<server secret> npm run mosquitto-auth -- --out /etc/mosquitto/lifeline
 * writes `passwd` and `acl` there (see adapters/auth/mosquittoFiles.ts). Create or rotate a unit's
 * credentials with `POST /api/vehicles/:id/credentials` (admin).
 */
import { writeMosquittoAuth } from '../adapters/auth/mosquittoFiles.ts';
import { SERVER_MQTT_USER } from '../server.ts';
import { toolArgs } from './args.ts';
import { runWithDatabase } from './common.ts';

const USAGE = `usage: MQTT_PASSWORD=<server secret> npm run mosquitto-auth -- --out DIR
Writes Mosquitto's passwd and acl files for every unit with credentials, and the server's own user
(MQTT_USERNAME, default lifeline-server). Uses DATABASE_URL, or the embedded database under DATA_DIR.`;

const { values } = toolArgs({ out: { type: 'string' } }, USAGE);

runWithDatabase(
  async (db, cfg) => {
    const r = await writeMosquittoAuth(db, values.out!, cfg.mqttPrefix, { username: cfg.mqttUsername ?? SERVER_MQTT_USER, password: cfg.mqttPassword! });
    console.log(`wrote ${r.passwd} (${r.units} units + server) and ${r.acl}`);
    return 0;
  },
  (cfg) => {
    if (values.out && cfg.mqttPassword) return null;
    console.error(USAGE);
    return 2;
  },
);
