import { sql } from 'kysely';
import type { Db } from './db.ts';
import { appendEvent } from './incidents.ts';

export interface DueAck {
  assignmentId: string;
  incidentId: string;
  vehicleId: string;
}

/**
 * Live assignments not acknowledged within `timeoutMs` (database time) and not yet recorded as timed
 * out: what an instance that made them and stopped can no longer watch.
 */
export async function dueAckTimeouts(db: Db, timeoutMs: number): Promise<DueAck[]> {
  const { rows } = await sql<{ id: string; incident_id: string; vehicle_id: string }>`
    SELECT a.id, a.incident_id, a.vehicle_id FROM assignments a
    WHERE a.acked_at IS NULL AND a.ended_at IS NULL
      AND a.assigned_at <= now() - make_interval(secs => ${timeoutMs / 1000})
      AND NOT EXISTS (
        SELECT 1 FROM incident_events e
        WHERE e.incident_id = a.incident_id AND e.type = 'AckTimedOut' AND e.data->>'assignmentId' = a.id::text)
    ORDER BY a.assigned_at
    LIMIT 100`.execute(db);
  return rows.map((r) => ({ assignmentId: r.id, incidentId: r.incident_id, vehicleId: r.vehicle_id }));
}

/**
 * Records `AckTimedOut` for an assignment still live and unacknowledged, once: the assignment row is
 * locked first, so of two instances (or a timer and a sweep) checking it at once, the second sees
 * the first's event. Returns true when this call recorded it (and should raise the alert).
 */
export async function claimAckTimeout(db: Db, a: DueAck): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('assignments').select(['acked_at', 'ended_at']).where('id', '=', a.assignmentId).forUpdate().executeTakeFirst();
    if (!row || row.acked_at || row.ended_at) return false;
    const done = await trx
      .selectFrom('incident_events')
      .select('id')
      .where('incident_id', '=', a.incidentId)
      .where('type', '=', 'AckTimedOut')
      .where(sql<string>`data->>'assignmentId'`, '=', a.assignmentId)
      .executeTakeFirst();
    if (done) return false;
    await appendEvent(trx, a.incidentId, 'AckTimedOut', 'system', { vehicleId: a.vehicleId, assignmentId: a.assignmentId });
    return true;
  });
}
