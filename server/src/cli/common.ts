import { ConfigError, loadConfig, type Config } from '../config.ts';
import { createDb, createPool, type Db } from '../adapters/store/db.ts';
import { migrate } from '../adapters/store/migrate.ts';

/**
 * Runs a command-line tool against the configured database (DATABASE_URL, or the embedded one
 * under DATA_DIR — the server must not be running on that data dir at the same time), migrated,
 * and exits with the code `fn` returns. Configuration errors print their message, not a stack.
 */
export function runWithDatabase(fn: (db: Db, cfg: Config) => Promise<number>, preflight?: (cfg: Config) => number | null): void {
  const main = async (): Promise<number> => {
    const cfg = loadConfig();
    const early = preflight?.(cfg);
    if (early !== undefined && early !== null) return early;
    // Loaded only when used: the module's import alone installs process-ending signal handlers.
    const embedded = cfg.databaseUrl ? null : await (await import('../adapters/store/embeddedPostgres.ts')).startEmbeddedPostgres(cfg.dataDir, { info: (m) => console.error(m), debug: () => undefined });
    const pool = createPool(cfg.databaseUrl ?? embedded!.url, 2, null); // an operator's import may run long on purpose
    try {
      await migrate(pool);
      return await fn(createDb(pool), cfg);
    } finally {
      await pool.end();
      await embedded?.stop();
    }
  };
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(err instanceof ConfigError ? err.message : err);
      process.exit(1);
    },
  );
}
