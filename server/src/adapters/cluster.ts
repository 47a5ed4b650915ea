import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { ServerOptions } from 'socket.io';
import { ConfigError } from '../config.ts';
import type { Fleet } from '../services/fleet.ts';
import type { SharedFix } from './mqtt/ingest.ts';
import type { RealtimeGateway } from './realtime.ts';
import type { Db } from './store/db.ts';
import { readUnitStates } from './store/vehicles.ts';

interface Log {
  warn(o: object, m: string): void;
  info(o: object, m: string): void;
}

export interface RedisLink {
  /** The socket.io adapter over these connections (channels named after the topic prefix). */
  adapter: ServerOptions['adapter'];
  /**
   * Called each time the subscribing connection is back after Redis was away: broadcasts of other
   * instances sent meanwhile are gone (Redis pub/sub keeps nothing).
   */
  onReconnected(fn: () => void): void;
  close(): Promise<void>;
}

/**
 * Connects to Redis for the socket.io adapter (a publishing and a subscribing connection). At start
 * an unreachable Redis fails at once with what to do; once connected, ioredis reconnects on its own
 * and socket.io broadcasts to other instances resume when it is back.
 */
export async function connectRedis(url: string, key: string, log: Log, timeoutMs = 5000): Promise<RedisLink> {
  const where = redactedUrl(url);
  let started = false;
  const pub = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    // Give up at once while starting (fail fast); afterwards, retry every 0.2–2 s for ever.
    retryStrategy: (times) => (started ? Math.min(times * 200, 2000) : null),
    // The adapter publishes without handling failures: while Redis is away its broadcasts wait in
    // ioredis's queue (sent when it is back) instead of failing into unhandled rejections.
    maxRetriesPerRequest: null,
  });
  const sub = pub.duplicate();
  // While starting, the failed connect() says it all; afterwards ioredis reconnects and we log.
  const logError = (err: Error) => (started ? log.warn({ err: err.message, redis: where }, 'Redis connection error; reconnecting') : undefined);
  pub.on('error', logError);
  sub.on('error', logError);
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (err) {
    pub.disconnect();
    sub.disconnect();
    throw new ConfigError(
      `cannot connect to Redis at ${where} (REDIS_URL): ${(err as Error).message}. Start Redis there, or unset REDIS_URL to run a single instance.`,
    );
  }
  started = true;
  return {
    adapter: createAdapter(pub, sub, { key }),
    onReconnected: (fn) => {
      sub.on('ready', () => {
        log.info({ redis: where }, 'Redis is back');
        fn();
      });
    },
    close: async () => {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}

function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'REDIS_URL';
  }
}

export interface FleetSyncDeps {
  db: Db;
  fleet: Fleet;
  gateway: RealtimeGateway;
  /** Takes a position another instance received over HTTP into this instance's live index. */
  indexFix(vehicleId: string, fix: SharedFix): void;
  /** Reads the phone → unit mappings again (another instance added one). */
  reloadTrackers(): Promise<void>;
  /** Every unit is re-read this often, in case a notice was lost (Redis away), ms. */
  rereadAllMs: number;
  log: Log;
}

/**
 * Keeps this instance's in-memory fleet in step with what other instances commit. Positions need
 * nothing: every instance receives every vehicle message. Status, incident and online changes are
 * committed by one instance (the unit's owner, or the one whose dispatcher assigned it): it tells
 * the others which units changed, and they re-read those rows. The database stays the truth; a
 * notice only says when to look.
 */
export class FleetSync {
  private readonly pending = new Set<string>();
  private running: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly d: FleetSyncDeps) {
    const io = d.gateway.io;
    io.on('units', (ids) => {
      if (!Array.isArray(ids)) return;
      for (const id of ids) if (typeof id === 'string') this.pending.add(id);
      this.kick();
    });
    io.on('fix', (vehicleId, fix) => {
      if (typeof vehicleId === 'string' && fix && typeof fix === 'object') d.indexFix(vehicleId, fix);
    });
    io.on('trackers', () => void d.reloadTrackers().catch((err: Error) => d.log.warn({ err: err.message }, 'tracker mappings could not be reloaded')));
    this.timer = setInterval(() => void this.rereadAll(), d.rereadAllMs);
    this.timer.unref();
  }

  /** After a commit here: the other instances re-read these units. */
  unitsChanged(vehicleIds: string[]): void {
    this.d.gateway.io.serverSideEmit('units', vehicleIds);
  }

  shareFix(vehicleId: string, fix: SharedFix): void {
    this.d.gateway.io.serverSideEmit('fix', vehicleId, fix);
  }

  trackersChanged(): void {
    this.d.gateway.io.serverSideEmit('trackers');
  }

  /** Resolves when every notice received so far has been applied (tests). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.settled();
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.pending.size > 0) this.kick();
    });
  }

  /** Re-reads the noticed units, one query at a time, until none is left. */
  private async drain(): Promise<void> {
    while (this.pending.size > 0 && !this.stopped) {
      const ids = [...this.pending];
      this.pending.clear();
      // A unit changed here while the read was under way may be newer here than in what was read
      // (the read could predate our commit): read it again.
      const again = await this.apply(ids);
      for (const id of again) this.pending.add(id);
    }
  }

  /** Periodic safety net: a lost notice leaves a unit stale for at most `rereadAllMs`. */
  private async rereadAll(): Promise<void> {
    if (this.stopped) return;
    // Units changed here during the read are simply left to the next round.
    await this.apply(null).catch((err: Error) => this.d.log.warn({ err: err.message }, 'fleet re-read failed'));
  }

  private async apply(ids: string[] | null): Promise<string[]> {
    const tick = this.d.fleet.localChangeTick();
    const rows = await readUnitStates(this.d.db, ids).catch((err: Error) => {
      this.d.log.warn({ err: err.message }, 'units changed elsewhere could not be re-read; retrying');
      return null;
    });
    if (rows === null) {
      if (ids) await new Promise((r) => setTimeout(r, 500));
      return ids ?? [];
    }
    const again: string[] = [];
    for (const row of rows) {
      if (this.d.fleet.changedHereSince(row.id, tick)) again.push(row.id);
      else this.d.fleet.applyStored(row);
    }
    return ids ? again : [];
  }
}
