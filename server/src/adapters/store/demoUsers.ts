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

/** Demo users are named demo-<role>, so the first real admin can be called `admin`. */
export const DEMO_USER_PREFIX = 'demo-';

/**
 * Demo users for the embedded demo, one per role, with random passwords kept in
 * `DATA_DIR/demo-logins.json` (mode 600) so they stay the same across restarts of that data dir.
 */
export async function ensureDemoUsers(db: Db, dataDir: string, crewVehicleId: string): Promise<DemoLogin[]> {
  const file = path.join(dataDir, 'demo-logins.json');
  let logins: DemoLogin[];
  try {
    logins = JSON.parse(await readFile(file, 'utf8')) as DemoLogin[];
    // Logins of an older demo were named like real accounts ('admin'): make the demo ones again.
    if (!logins.every((l) => l.username.startsWith(DEMO_USER_PREFIX))) throw new Error('old demo logins');
  } catch {
    const hospital = await db.selectFrom('hospitals').select('id').orderBy('id').executeTakeFirst();
    logins = [
      { username: `${DEMO_USER_PREFIX}dispatcher`, password: randomSecret(9), role: 'dispatcher' },
      { username: `${DEMO_USER_PREFIX}supervisor`, password: randomSecret(9), role: 'supervisor' },
      { username: `${DEMO_USER_PREFIX}admin`, password: randomSecret(9), role: 'admin' },
      ...(hospital ? [{ username: `${DEMO_USER_PREFIX}hospital`, password: randomSecret(9), role: 'hospital' as const, hospitalId: hospital.id }] : []),
      { username: `${DEMO_USER_PREFIX}crew`, password: randomSecret(9), role: 'crew', vehicleId: crewVehicleId },
    ];
    await writeFile(file, JSON.stringify(logins, null, 2), { mode: 0o600 });
  }
  for (const l of logins) {
    await createUser(db, { username: l.username, displayName: l.username, password: l.password, role: l.role, hospitalId: l.hospitalId, vehicleId: l.vehicleId });
  }
  return logins;
}
