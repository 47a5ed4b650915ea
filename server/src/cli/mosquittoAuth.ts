/**
 * Exports per-unit MQTT credentials for Mosquitto:
 *   MQTT_PASSWORD=<server secret> npm run mosquitto-auth -- --out /etc/mosquitto/lifeline [--port 1883] [--host 0.0.0.0] [--server-user lifeline-server-a --server-user lifeline-server-b]
 * writes `passwd`, `acl` and `lifeline.conf` there (see adapters/auth/mosquittoFiles.ts). Create or
 * rotate a unit's credentials with `POST /api/vehicles/:id/credentials` (admin), then run this again
 * and send Mosquitto SIGHUP: it re-reads the files then (a unit's live connection stays open until
 * it reconnects).
 */
import { writeMosquittoAuth } from '../adapters/auth/mosquittoFiles.ts';
import { SERVER_MQTT_USER } from '../server.ts';
import { toolArgs } from './args.ts';
import { runWithDatabase } from './common.ts';

const USAGE = `usage: MQTT_PASSWORD=<server secret> npm run mosquitto-auth -- --out DIR [--port 1883] [--host ADDR] [--server-user NAME ...]
Writes Mosquitto's passwd, acl and lifeline.conf files for every unit with credentials, and the
server's own user(s) (--server-user, default MQTT_USERNAME or lifeline-server). Uses DATABASE_URL,
or the embedded database under DATA_DIR.`;

const { values } = toolArgs({ out: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, 'server-user': { type: 'string', multiple: true } }, USAGE);
const port = Number(values.port ?? 1883);

runWithDatabase(
  async (db, cfg) => {
    // With use_username_as_clientid each server instance needs a username of its own.
    const usernames = values['server-user']?.length ? values['server-user'] : [cfg.mqttUsername ?? SERVER_MQTT_USER];
    const r = await writeMosquittoAuth(db, values.out!, cfg.mqttPrefix, { usernames, password: cfg.mqttPassword! }, { port, ...(values.host ? { host: values.host } : {}) });
    if (r.skipped.length) console.error(`skipped units whose id is reserved or a server user: ${r.skipped.join(', ')}`);
    console.log(`wrote ${r.passwd} (${r.units} units + ${usernames.length} server users), ${r.acl} and ${r.conf}`);
    return 0;
  },
  (cfg) => {
    if (values.out && cfg.mqttPassword && Number.isInteger(port) && port > 0 && port < 65536) return null;
    console.error(USAGE);
    return 2;
  },
);
