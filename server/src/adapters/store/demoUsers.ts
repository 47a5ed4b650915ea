import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Role } from '@lifeline/protocol';
import { randomSecret } from '../auth/passwords.ts';
import type { Db } from './db.ts';
import { createUser } from './users.ts';

export interface DemoLogin {
  username: string;
  password: string;
  role: Role;
  hospitalId?: string;
  vehicleId?: string;
}

/**
 * Demo users for the embedded demo, one per role, with random passwords kept in
 * `DATA_DIR/demo-logins.json` (mode 600) so they stay the same across restarts of that data dir.
 */
export async function ensureDemoUsers(db: Db, dataDir: string, crewVehicleId: string): Promise<DemoLogin[]> {
  const file = path.join(dataDir, 'demo-logins.json');
  let logins: DemoLogin[];
  try {
    logins = JSON.parse(await readFile(file, 'utf8')) as DemoLogin[];
  } catch {
    const hospital = await db.selectFrom('hospitals').select('id').orderBy('id').executeTakeFirst();
    logins = [
      { username: 'dispatcher', password: randomSecret(9), role: 'dispatcher' },
      { username: 'supervisor', password: randomSecret(9), role: 'supervisor' },
      { username: 'admin', password: randomSecret(9), role: 'admin' },
      ...(hospital ? [{ username: 'hospital', password: randomSecret(9), role: 'hospital' as const, hospitalId: hospital.id }] : []),
      { username: 'crew', password: randomSecret(9), role: 'crew', vehicleId: crewVehicleId },
    ];
    await writeFile(file, JSON.stringify(logins, null, 2), { mode: 0o600 });
  }
  for (const l of logins) {
    await createUser(db, { username: l.username, displayName: l.username, password: l.password, role: l.role, hospitalId: l.hospitalId, vehicleId: l.vehicleId });
  }
  return logins;
}
