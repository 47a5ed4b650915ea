import pg from 'pg';

/** The machine's PostgreSQL (maintenance database); scratch databases are created beside it. */
export const ADMIN_PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function dbUrl(name: string): string {
  const u = new URL(ADMIN_PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function adminQuery<T extends pg.QueryResultRow = any>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: ADMIN_PG_URL });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** Creates an empty scratch database and returns its URL. */
export async function createScratchDb(name: string): Promise<string> {
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`bad database name ${name}`);
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${name}`);
  return dbUrl(name);
}

export async function dropScratchDb(name: string): Promise<void> {
  // Let connections that were just ended finish closing: WITH (FORCE) would otherwise terminate
  // them mid-close, and a pg client with no error listener left would crash the process.
  await new Promise((r) => setTimeout(r, 300));
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
}

export async function dbExists(name: string): Promise<boolean> {
  return (await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0;
}

export const runId = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
