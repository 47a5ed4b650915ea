/** What the database says about TimescaleDB, before anything asks it to load the extension. */
export interface TimescaleFacts {
  /** In pg_available_extensions: its files are installed on the server. */
  available: boolean;
  /** current_setting('shared_preload_libraries'), as the server reports it. */
  sharedPreloadLibraries: string;
  /** Already created in this database (pg_extension). */
  created: boolean;
}

/**
 * - `timescaledb`: create / keep the extension and use the hypertable path (sql/002).
 * - `absent`: not installed: plain PostgreSQL.
 * - `not_preloaded`: installed but not in shared_preload_libraries. `CREATE EXTENSION` would end the
 *   connection with FATAL ("must be preloaded"), which no EXCEPTION block can catch: never ask.
 */
export type StoragePath = 'timescaledb' | 'absent' | 'not_preloaded';

/** The libraries named in a shared_preload_libraries value (comma-separated, optionally quoted). */
export function preloadedLibraries(setting: string): string[] {
  return setting
    .split(',')
    .map((s) => s.trim().replace(/^"(.*)"$/, '$1').trim())
    .filter(Boolean);
}

export function storagePath(f: TimescaleFacts): StoragePath {
  if (!f.available) return 'absent';
  // The loader library is `timescaledb`; a path or versioned name still ends with it.
  const preloaded = preloadedLibraries(f.sharedPreloadLibraries).some((l) => /(^|\/)timescaledb(-[\d.]+)?$/.test(l));
  return preloaded ? 'timescaledb' : 'not_preloaded';
}
