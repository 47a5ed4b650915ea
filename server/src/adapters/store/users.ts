import { createHash } from 'node:crypto';
import type { CreateUserBody, Role, User } from '@lifeline/protocol';
import { hashPassword, randomSecret } from '../auth/passwords.ts';
import type { Db } from './db.ts';

export const SESSION_TTL_MS = 12 * 3600 * 1000; // one dispatch shift

const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

/** What names a session outside this module (socket rooms, revocation messages): its token's hash, never the token. */
export const sessionKey = tokenHash;

function toUser(r: { id: string; username: string; display_name: string; role: string; hospital_id: string | null; vehicle_id: string | null; agency_id?: string | null }): User {
  return { id: r.id, username: r.username, displayName: r.display_name, role: r.role as Role, hospitalId: r.hospital_id, vehicleId: r.vehicle_id, agencyId: r.agency_id ?? null };
}

export type CreateUserResult = { ok: true; user: User } | { ok: false; code: 'BAD_REQUEST'; message: string };

export async function createUser(db: Db, body: CreateUserBody): Promise<CreateUserResult> {
  // Presence, not truthiness: an empty hospitalId on a crew user must be refused, not stored.
  if (body.role === 'hospital' ? !body.hospitalId : body.hospitalId !== undefined) return { ok: false, code: 'BAD_REQUEST', message: 'a hospital user needs hospitalId (and only a hospital user has one)' };
  if (body.role === 'crew' ? !body.vehicleId : body.vehicleId !== undefined) return { ok: false, code: 'BAD_REQUEST', message: 'a crew user needs vehicleId (and only a crew user has one)' };
  if (body.role === 'agency' ? !body.agencyId : body.agencyId !== undefined && body.agencyId !== null) return { ok: false, code: 'BAD_REQUEST', message: 'an agency user needs agencyId (and only an agency user has one)' };
  if (body.agencyId && !(await db.selectFrom('agencies').select('id').where('id', '=', body.agencyId).executeTakeFirst())) {
    return { ok: false, code: 'BAD_REQUEST', message: `no agency ${body.agencyId}` };
  }
  if (body.hospitalId && !(await db.selectFrom('hospitals').select('id').where('id', '=', body.hospitalId).executeTakeFirst())) {
    return { ok: false, code: 'BAD_REQUEST', message: `no hospital ${body.hospitalId}` };
  }
  if (body.vehicleId) {
    await db.insertInto('vehicles').values({ id: body.vehicleId, call_sign: body.vehicleId }).onConflict((oc) => oc.column('id').doNothing()).execute();
  }
  const row = await db
    .insertInto('users')
    .values({
      username: body.username,
      display_name: body.displayName,
      password_hash: await hashPassword(body.password),
      role: body.role,
      hospital_id: body.hospitalId ?? null,
      vehicle_id: body.vehicleId ?? null,
      agency_id: body.agencyId ?? null,
    })
    .onConflict((oc) => oc.column('username').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) return { ok: false, code: 'BAD_REQUEST', message: `user ${body.username} already exists` };
  return { ok: true, user: toUser(row) };
}

export async function findUserForLogin(db: Db, username: string) {
  return db.selectFrom('users').selectAll().where('username', '=', username).where('disabled', '=', false).executeTakeFirst();
}

export async function listUsers(db: Db): Promise<User[]> {
  return (await db.selectFrom('users').selectAll().orderBy('username').execute()).map(toUser);
}

export async function createSession(db: Db, userId: string, now = Date.now()): Promise<{ token: string; expiresAt: Date }> {
  const token = randomSecret(32);
  const expiresAt = new Date(now + SESSION_TTL_MS);
  await db.insertInto('sessions').values({ token_hash: tokenHash(token), user_id: userId, expires_at: expiresAt }).execute();
  return { token, expiresAt };
}

/**
 * Sessions seen in the last few seconds, so a busy console does not cost a database round trip per
 * request. Expiry takes effect within SESSION_CACHE_MS; logout and disabling a user at once
 * (`forgetSessions`, on every instance: see RealtimeGateway.revoke).
 */
const SESSION_CACHE_MS = 5000;
const sessionCache = new Map<string, { user: User | null; until: number }>();

/** Drops cached sessions: one (by its key) or all of a user's. */
export function forgetSessions(what: { sessionKey?: string; userId?: string }): void {
  if (what.sessionKey) sessionCache.delete(what.sessionKey);
  if (what.userId) for (const [k, v] of sessionCache) if (v.user?.id === what.userId) sessionCache.delete(k);
}

/** Disables a user and ends its sessions; false when there is no such user. */
export async function disableUser(db: Db, userId: string): Promise<boolean> {
  const row = await db.updateTable('users').set({ disabled: true }).where('id', '=', userId).returning('id').executeTakeFirst();
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  forgetSessions({ userId });
  return row !== undefined;
}

export async function userForToken(db: Db, token: string): Promise<User | null> {
  const key = tokenHash(token);
  const hit = sessionCache.get(key);
  if (hit && hit.until > Date.now()) return hit.user;
  const user = await lookupToken(db, token);
  if (sessionCache.size > 10_000) sessionCache.clear();
  sessionCache.set(key, { user, until: Date.now() + SESSION_CACHE_MS });
  return user;
}

async function lookupToken(db: Db, token: string): Promise<User | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.username', 'users.display_name', 'users.role', 'users.hospital_id', 'users.vehicle_id', 'users.agency_id'])
    .where('sessions.token_hash', '=', tokenHash(token))
    .where('sessions.expires_at', '>', new Date())
    .where('users.disabled', '=', false)
    .executeTakeFirst();
  return row ? toUser(row) : null;
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  sessionCache.delete(tokenHash(token));
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash(token)).execute();
}
