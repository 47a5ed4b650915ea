import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../store/db.ts';
import { mosquittoAcl, mosquittoHash, mosquittoPasswordFile } from './mqttCredentials.ts';

/**
 * Writes a Mosquitto `passwd` and `acl` file for every unit that has credentials, plus the
 * server's user. Point Mosquitto at them with `password_file` / `acl_file` and
 * `allow_anonymous false`; run the server with MQTT_USERNAME / MQTT_PASSWORD.
 */
export async function writeMosquittoAuth(db: Db, outDir: string, prefix: string, server: { username: string; password: string }): Promise<{ passwd: string; acl: string; units: number }> {
  const units = await db.selectFrom('vehicles').select(['id', 'mqtt_secret_hash']).where('mqtt_secret_hash', 'is not', null).orderBy('id').execute();
  await mkdir(outDir, { recursive: true });
  const passwd = path.join(outDir, 'passwd');
  const acl = path.join(outDir, 'acl');
  await writeFile(passwd, mosquittoPasswordFile([{ username: server.username, hash: mosquittoHash(server.password) }, ...units.map((u) => ({ username: u.id, hash: u.mqtt_secret_hash! }))]), { mode: 0o600 });
  await writeFile(acl, mosquittoAcl(prefix, server.username), { mode: 0o644 });
  // Mosquitto drops root privileges to its own user before reading these files.
  await chmod(passwd, 0o644);
  return { passwd, acl, units: units.length };
}
