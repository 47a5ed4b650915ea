import type { Tracker } from '@lifeline/protocol';
import type { Db } from './db.ts';

/** Device → unit mappings, kept in memory for the ingest path and written through to the database. */
export class TrackerRegistry {
  private readonly map = new Map<string, string>();
  /** Called after `add` committed (several instances: the others reload theirs). */
  onAdded: (() => void) | null = null;
  private static key(kind: string, deviceKey: string) {
    return `${kind}\u0000${deviceKey}`;
  }

  async load(db: Db): Promise<void> {
    for (const r of await db.selectFrom('trackers').selectAll().execute()) this.map.set(TrackerRegistry.key(r.kind, r.device_key), r.vehicle_id);
  }

  unitFor(kind: Tracker['kind'], deviceKey: string): string | null {
    return this.map.get(TrackerRegistry.key(kind, deviceKey)) ?? null;
  }

  /** Maps a device to a registered unit (the route checks it exists: no unit is created here). */
  async add(db: Db, t: Tracker): Promise<void> {
    await db
      .insertInto('trackers')
      .values({ kind: t.kind, device_key: t.deviceKey, vehicle_id: t.vehicleId })
      .onConflict((oc) => oc.columns(['kind', 'device_key']).doUpdateSet({ vehicle_id: t.vehicleId }))
      .execute();
    this.map.set(TrackerRegistry.key(t.kind, t.deviceKey), t.vehicleId);
    this.onAdded?.();
  }

  list(): Tracker[] {
    return [...this.map.entries()].map(([k, vehicleId]) => {
      const [kind, deviceKey] = k.split('\u0000') as [Tracker['kind'], string];
      return { kind, deviceKey, vehicleId };
    });
  }
}
