import type { TrackerInput, Tracker, TrackerView } from '@lifeline/protocol';
import type { Db } from './db.ts';

interface Entry {
  vehicleId: string;
  encryptionKey: string | null;
  lastError: string | null;
  lastErrorAt: Date | null;
}

/** A tracker's refusal reason is written to the database at most this often (a phone sends every few seconds). */
const ERROR_WRITE_EVERY_MS = 60_000;

/** Device → unit mappings, kept in memory for the ingest path and written through to the database. */
export class TrackerRegistry {
  private readonly map = new Map<string, Entry>();
  /** Called after `add` committed (several instances: the others reload theirs). */
  onAdded: (() => void) | null = null;
  private static key(kind: string, deviceKey: string) {
    return `${kind}\u0000${deviceKey}`;
  }

  async load(db: Db): Promise<void> {
    for (const r of await db.selectFrom('trackers').selectAll().execute()) {
      this.map.set(TrackerRegistry.key(r.kind, r.device_key), { vehicleId: r.vehicle_id, encryptionKey: r.encryption_key, lastError: r.last_error, lastErrorAt: r.last_error_at });
    }
  }

  unitFor(kind: Tracker['kind'], deviceKey: string): string | null {
    return this.map.get(TrackerRegistry.key(kind, deviceKey))?.vehicleId ?? null;
  }

  /** The OwnTracks payload-encryption secret of a mapped device, or null. */
  encryptionKeyFor(kind: Tracker['kind'], deviceKey: string): string | null {
    return this.map.get(TrackerRegistry.key(kind, deviceKey))?.encryptionKey ?? null;
  }

  /** Maps a device to a registered unit (the route checks it exists: no unit is created here). */
  async add(db: Db, t: TrackerInput): Promise<TrackerView> {
    const encryptionKey = t.encryptionKey ?? null;
    await db
      .insertInto('trackers')
      .values({ kind: t.kind, device_key: t.deviceKey, vehicle_id: t.vehicleId, encryption_key: encryptionKey })
      .onConflict((oc) => oc.columns(['kind', 'device_key']).doUpdateSet({ vehicle_id: t.vehicleId, encryption_key: encryptionKey, last_error: null, last_error_at: null }))
      .execute();
    this.map.set(TrackerRegistry.key(t.kind, t.deviceKey), { vehicleId: t.vehicleId, encryptionKey, lastError: null, lastErrorAt: null });
    this.onAdded?.();
    return this.view(t.kind, t.deviceKey)!;
  }

  /**
   * Why the device's last message was refused. Kept in memory at once (the panel reads it from
   * here) and written to the database when it changes or once a minute, off the ingest path.
   */
  noteError(db: Db, kind: Tracker['kind'], deviceKey: string, reason: string, nowMs: number): Promise<void> {
    const e = this.map.get(TrackerRegistry.key(kind, deviceKey));
    if (!e) return Promise.resolve();
    const unchanged = e.lastError === reason && e.lastErrorAt !== null && nowMs - e.lastErrorAt.getTime() < ERROR_WRITE_EVERY_MS;
    if (unchanged) return Promise.resolve();
    e.lastError = reason;
    e.lastErrorAt = new Date(nowMs);
    return db.updateTable('trackers').set({ last_error: reason, last_error_at: e.lastErrorAt }).where('kind', '=', kind).where('device_key', '=', deviceKey).execute().then(() => undefined);
  }

  private view(kind: Tracker['kind'], deviceKey: string): TrackerView | null {
    const e = this.map.get(TrackerRegistry.key(kind, deviceKey));
    if (!e) return null;
    return { kind, deviceKey, vehicleId: e.vehicleId, encrypted: e.encryptionKey !== null, lastError: e.lastError, lastErrorAt: e.lastErrorAt?.toISOString() ?? null };
  }

  list(): TrackerView[] {
    return [...this.map.keys()].map((k) => {
      const [kind, deviceKey] = k.split('\u0000') as [Tracker['kind'], string];
      return this.view(kind, deviceKey)!;
    });
  }
}
