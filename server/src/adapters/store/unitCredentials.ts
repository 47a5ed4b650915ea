import { mosquittoHash } from '../auth/mqttCredentials.ts';
import { randomSecret } from '../auth/passwords.ts';
import type { Db } from './db.ts';

/**
 * Issues a unit new MQTT credentials (username = unit id), creating the unit if needed: a new secret
 * each time, so the old one stops working. The secret is returned once and stored only as a hash.
 */
export async function issueUnitCredentials(db: Db, unitId: string): Promise<{ username: string; password: string }> {
  const password = randomSecret();
  const hash = mosquittoHash(password);
  await db
    .insertInto('vehicles')
    .values({ id: unitId, call_sign: unitId, mqtt_secret_hash: hash })
    .onConflict((oc) => oc.column('id').doUpdateSet({ mqtt_secret_hash: hash }))
    .execute();
  return { username: unitId, password };
}
