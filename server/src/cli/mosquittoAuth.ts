/**
 * Exports per-unit MQTT credentials for Mosquitto:
 *   MQTT_PASSWORD=<server secret> pnpm --filter @lifeline/server exec tsx src/cli/mosquittoAuth.ts --out /etc/mosquitto/lifeline
 * writes `passwd` and `acl` there (see adapters/auth/mosquittoFiles.ts). Create or rotate a unit's
 * credentials with `POST /api/vehicles/:id/credentials` (admin).
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { writeMosquittoAuth } from '../adapters/auth/mosquittoFiles.ts';
import { createDb, createPool } from '../adapters/store/db.ts';
import { startEmbeddedPostgres } from '../adapters/store/embeddedPostgres.ts';
import { migrate } from '../adapters/store/migrate.ts';
import { SERVER_MQTT_USER } from '../server.ts';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const cfg = loadConfig();
  if (!values.out || !cfg.mqttPassword) {
    console.error('usage: MQTT_PASSWORD=<server secret> mosquittoAuth --out DIR   (MQTT_USERNAME defaults to lifeline-server)');
    return 2;
  }
  const embedded = cfg.databaseUrl ? null : await startEmbeddedPostgres(cfg.dataDir, { info: (m) => console.error(m), debug: () => undefined });
  const pool = createPool(cfg.databaseUrl ?? embedded!.url, 2);
  try {
    await migrate(pool);
    const r = await writeMosquittoAuth(createDb(pool), values.out, cfg.mqttPrefix, { username: cfg.mqttUsername ?? SERVER_MQTT_USER, password: cfg.mqttPassword });
    console.log(`wrote ${r.passwd} (${r.units} units + server) and ${r.acl}`);
    return 0;
  } finally {
    await pool.end();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  },
);
