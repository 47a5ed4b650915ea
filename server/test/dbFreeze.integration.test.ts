import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPg } from '../src/adapters/store/embeddedPostgres.ts';
import type { LifelineServer } from '../src/server.ts';
import { api, TestEnv } from './helpers.ts';

/**
 * A frozen database (every PostgreSQL process stopped with SIGSTOP) must not hang the server:
 * requests answer 503 DATABASE_UNAVAILABLE within a bound, and everything works again after SIGCONT.
 * Before: the pool had no connection or statement timeout, and calls and logins hung.
 * The database is a private embedded PostgreSQL of this test, never the machine's shared server.
 */
const CALL = { line: '115', callerPhone: '0912345678', location: { lat: 10.98, lng: 106.65 }, category: 'trauma', priority: 2 };

/** The postmaster of `pgDir` and every process it started. */
async function clusterPids(pgDir: string): Promise<number[]> {
  const pm = Number((await readFile(path.join(pgDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const pids = [pm];
  for (const d of await readdir('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const stat = await readFile(`/proc/${d}/stat`, 'utf8').catch(() => '');
    // ppid is the 2nd field after the parenthesised command name.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pm) pids.push(Number(d));
  }
  return pids;
}

describe('PostgreSQL frozen (SIGSTOP)', () => {
  const env = new TestEnv('embedded');
  let pgDir = '';
  let db: EmbeddedPg | null = null;
  let server: LifelineServer | null = null;
  let frozen: number[] = [];
  const thaw = () => {
    for (const p of frozen) process.kill(p, 'SIGCONT');
    frozen = [];
  };

  beforeAll(async () => {
    await env.setup();
    pgDir = await mkdtemp(path.join(os.tmpdir(), 'lifeline-freeze-'));
    await chmod(pgDir, 0o755);
    db = await startEmbeddedPostgres(pgDir, { info: () => undefined, debug: () => undefined });
    server = await env.start({ DATABASE_URL: db.url, DB_CONNECT_TIMEOUT_MS: '1000', DB_STATEMENT_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    thaw();
    await server?.stop();
    await db?.stop();
    await env.teardown();
    await rm(pgDir, { recursive: true, force: true });
  });

  it('answers 503 DATABASE_UNAVAILABLE within a bound while frozen, and works again after SIGCONT', async () => {
    expect((await api(server!.url, 'POST', '/api/incidents', CALL)).status).toBe(201);
    frozen = await clusterPids(path.join(pgDir, 'pg'));
    for (const p of frozen) process.kill(p, 'SIGSTOP');
    try {
      // Several at once: more than one must fail fast, also once the pool's connections are all stuck.
      const bounded = (p: string, body?: unknown) => api(server!.url, body ? 'POST' : 'GET', p, body, undefined, { signal: AbortSignal.timeout(10_000) });
      const answers = await Promise.all([bounded('/api/incidents', CALL), bounded('/api/incidents'), bounded('/api/incidents', CALL)]);
      for (const a of answers) {
        expect(a.status).toBe(503);
        expect(a.body.code).toBe('DATABASE_UNAVAILABLE');
      }
      const again = await bounded('/api/incidents', CALL);
      expect(again.status).toBe(503);
    } finally {
      thaw();
    }
    const after = await api(server!.url, 'POST', '/api/incidents', CALL);
    expect(after.status).toBe(201);
    expect((await api(server!.url, 'GET', '/api/incidents')).status).toBe(200);
  }, 60_000);
});
