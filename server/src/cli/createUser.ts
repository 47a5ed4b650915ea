/**
 * Creates a user (the first admin, typically):
 *   npm run create-user -- --username NAME --role admin [--name "…"] [--hospital ID] [--vehicle ID]
 * The password is read from the LIFELINE_PASSWORD environment variable or, if unset, from
 * standard input (one line), so it never appears in the shell history or the process list.
 * Uses DATABASE_URL, or the embedded database under DATA_DIR (the server must not be running
 * on that data dir at the same time).
 */
import { createInterface } from 'node:readline';
import { ROLES, type Role } from '@lifeline/protocol';
import { createUser } from '../adapters/store/users.ts';
import { toolArgs } from './args.ts';
import { runWithDatabase } from './common.ts';

async function readPassword(): Promise<string> {
  if (process.env.LIFELINE_PASSWORD) return process.env.LIFELINE_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write('Password (at least 10 characters): ');
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

const USAGE = `usage: npm run create-user -- --username NAME --role ${ROLES.join('|')} [--name "Display name"] [--hospital ID] [--vehicle ID]
Creates a user (the first admin, typically). The password comes from LIFELINE_PASSWORD or one line
on standard input (at least 10 characters). Uses DATABASE_URL, or the embedded database under
DATA_DIR (stop the server on that DATA_DIR first). The demo's own users are named demo-…`;

const { values, positionals } = toolArgs(
  { username: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, hospital: { type: 'string' }, vehicle: { type: 'string' } },
  USAGE,
);
if (positionals.length > 0 || !values.username || !values.role || !ROLES.includes(values.role as Role)) {
  console.error(USAGE);
  process.exit(2);
}
const password = await readPassword();
if (password.length < 10) {
  console.error('the password must have at least 10 characters');
  process.exit(2);
}

runWithDatabase(async (db) => {
  const r = await createUser(db, {
    username: values.username!,
    displayName: values.name ?? values.username!,
    password,
    role: values.role as Role,
    ...(values.hospital ? { hospitalId: values.hospital } : {}),
    ...(values.vehicle ? { vehicleId: values.vehicle } : {}),
  });
  if (!r.ok) {
    console.error(r.message);
    return 1;
  }
  console.log(`created ${r.user.role} ${r.user.username}`);
  return 0;
});
