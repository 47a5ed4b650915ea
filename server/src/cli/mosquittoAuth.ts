/**
 * Exports per-unit MQTT credentials for Mosquitto:
 *   MQTT_PASSWORD=<server secret> pnpm --filter @lifeline/server exec tsx src/cli/mosquittoAuth.ts --out /etc/mosquitto/lifeline
 * writes `passwd` and `acl` there (see adapters/auth/mosquittoFiles.ts). Create or rotate a unit's
 * credentials with `POST /api/vehicles/:id/credentials` (admin).
 */
import { parseArgs } from 'node:util';
import { writeMosquittoAuth } from '../adapters/auth/mosquittoFiles.ts';
import { SERVER_MQTT_USER } from '../server.ts';
import { runWithDatabase } from './common.ts';

const { values } = parseArgs({ options: { out: { type: 'string' } } });

runWithDatabase(
  async (db, cfg) => {
    const r = await writeMosquittoAuth(db, values.out!, cfg.mqttPrefix, { username: cfg.mqttUsername ?? SERVER_MQTT_USER, password: cfg.mqttPassword! });
    console.log(`wrote ${r.passwd} (${r.units} units + server) and ${r.acl}`);
    return 0;
  },
  (cfg) => {
    if (values.out && cfg.mqttPassword) return null;
    console.error('usage: MQTT_PASSWORD=<server secret> mosquittoAuth --out DIR   (MQTT_USERNAME defaults to lifeline-server)');
    return 2;
  },
);
