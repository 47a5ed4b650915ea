import { sql, type ColumnType, type Kysely, type Transaction } from 'kysely';
import type { Database, Db } from './db.ts';

/** Keys are kept (and replayed) this long. */
export const IDEMPOTENCY_TTL_HOURS = 24;

export interface IdempotencyKeysTable {
  user_id: string;
  key: string;
  route: string;
  request_hash: string;
  claim: string | null;
  claimed_at: ColumnType<Date, never, ReturnType<typeof sql>>;
  resource_id: string | null;
  response_status: number | null;
  response_body: ColumnType<unknown, string | undefined, string | null>;
  created_at: ColumnType<Date, never, ReturnType<typeof sql>>;
}

/** A request's hold on a key: only the holder of `token` may act under it. */
export interface Claim {
  userId: string;
  key: string;
  token: string;
}

export interface KeyRow {
  route: string;
  request_hash: string;
  claim: string | null;
  claimed_at: Date;
  resource_id: string | null;
  response_status: number | null;
  response_body: unknown;
}

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Claims `key` for this request (a new key, or one expired), or returns the row another request
 * left. Concurrent first requests: the primary key lets exactly one insert.
 */
export async function claimKey(db: Db, c: Claim & { route: string; hash: string }): Promise<{ claimed: true } | { claimed: false; row: KeyRow }> {
  const mine = await db
    .insertInto('idempotency_keys')
    .values({ user_id: c.userId, key: c.key, route: c.route, request_hash: c.hash, claim: c.token })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'key'])
        .doUpdateSet({ route: c.route, request_hash: c.hash, claim: c.token, claimed_at: sql`now()`, created_at: sql`now()`, resource_id: null, response_status: null, response_body: null })
        .where('idempotency_keys.created_at', '<', sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`),
    )
    .returning('key')
    .executeTakeFirst();
  if (mine) return { claimed: true };
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['route', 'request_hash', 'claim', 'claimed_at', 'resource_id', 'response_status', 'response_body'])
    .where('user_id', '=', c.userId)
    .where('key', '=', c.key)
    .executeTakeFirst();
  // Deleted by expiry in between: claim again.
  return row ? { claimed: false, row } : claimKey(db, c);
}

/** Takes over a claim whose holder failed or went silent; false when another request was faster. */
export async function takeOver(db: Db, c: Claim, previous: string | null): Promise<boolean> {
  let q = db.updateTable('idempotency_keys').set({ claim: c.token, claimed_at: sql`now()` }).where('user_id', '=', c.userId).where('key', '=', c.key).where('response_status', 'is', null);
  q = previous === null ? q.where('claim', 'is', null) : q.where('claim', '=', previous);
  return Number((await q.executeTakeFirst()).numUpdatedRows) === 1;
}

/**
 * Inside the command's transaction: locks the key row and says whether the claim is still ours.
 * A command that checks this before changing anything cannot run twice under one key, even when a
 * statement of a timed-out request reaches the database after a retry took the key over.
 */
export async function holdClaim(trx: Transaction<Database>, c: Claim): Promise<boolean> {
  const row = await trx.selectFrom('idempotency_keys').select('claim').where('user_id', '=', c.userId).where('key', '=', c.key).forUpdate().executeTakeFirst();
  return row?.claim === c.token;
}

/** Inside the command's transaction: what it created, so a retry can answer even if the first answer was lost. */
export async function recordResource(trx: Transaction<Database>, c: Claim, resourceId: string): Promise<void> {
  await trx.updateTable('idempotency_keys').set({ resource_id: resourceId }).where('user_id', '=', c.userId).where('key', '=', c.key).execute();
}

/** The answer given under the claim, replayed to every retry. */
export async function recordAnswer(db: Executor, c: Claim, status: number, body: unknown): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ response_status: status, response_body: JSON.stringify(body ?? null) })
    .where('user_id', '=', c.userId)
    .where('key', '=', c.key)
    .where('claim', '=', c.token)
    .execute();
}

/** The command failed without an answer worth replaying: a retry may take the key over at once. */
export async function releaseClaim(db: Db, c: Claim): Promise<void> {
  await db.updateTable('idempotency_keys').set({ claim: null }).where('user_id', '=', c.userId).where('key', '=', c.key).where('claim', '=', c.token).execute();
}

export async function deleteExpiredKeys(db: Db): Promise<number> {
  const r = await db.deleteFrom('idempotency_keys').where('created_at', '<', sql<Date>`now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`).executeTakeFirst();
  return Number(r.numDeletedRows);
}
