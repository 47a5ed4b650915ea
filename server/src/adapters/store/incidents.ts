import { sql, type Insertable, type Selectable, type Transaction } from 'kysely';
import type { CreateIncidentBody, Incident, IncidentState, TimelineEvent } from '@lifeline/protocol';
import { OPEN_STATES } from '../../core/incidentMachine.ts';
import { normalizePhone } from './callers.ts';
import type { Database, Db, IncidentsTable } from './db.ts';

type Executor = Db | Transaction<Database>;

export function toIncident(r: Selectable<IncidentsTable>): Incident {
  return {
    id: r.id,
    number: r.number,
    line: r.line as Incident['line'],
    channel: r.channel as Incident['channel'],
    callerPhone: r.caller_phone,
    callerName: r.caller_name,
    location: { lat: r.lat, lng: r.lng },
    address: r.address,
    category: r.category as Incident['category'],
    priority: r.priority,
    notes: r.notes,
    state: r.state as IncidentState,
    vehicleId: r.vehicle_id,
    assignmentId: r.assignment_id,
    hospitalId: r.hospital_id,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    version: r.version,
  };
}

function incidentValues(body: CreateIncidentBody, state: IncidentState): Insertable<IncidentsTable> {
  return {
    line: body.line,
    channel: body.channel ?? 'phone',
    caller_phone: normalizePhone(body.callerPhone),
    caller_name: body.callerName ?? null,
    lat: body.location.lat,
    lng: body.location.lng,
    address: body.address ?? null,
    category: body.category,
    priority: body.priority,
    notes: body.notes ?? null,
    state,
  };
}

/** An event to append to a new incident's timeline, in this order. */
export interface NewEvent {
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

/**
 * Inserts an incident and its first timeline events in one statement: one round trip, and one
 * implicit transaction (all rows or none), so the incident is committed when this resolves.
 * The events get ascending ids (the timeline order) in the order given.
 */
export async function insertIncidentWithEvents(db: Executor, body: CreateIncidentBody, state: IncidentState, events: NewEvent[]): Promise<Incident> {
  const row = await db
    .with('i', (q) => q.insertInto('incidents').values(incidentValues(body, state)).returningAll())
    .with('e', (q) =>
      q
        .insertInto('incident_events')
        .columns(['incident_id', 'type', 'actor', 'data'])
        .expression(
          sql`SELECT i.id, e.v->>'type', e.v->>'actor', e.v->'data' FROM i, jsonb_array_elements(${JSON.stringify(events)}::jsonb) WITH ORDINALITY AS e(v, ord) ORDER BY e.ord`,
        ),
    )
    .selectFrom('i')
    .selectAll()
    .executeTakeFirstOrThrow();
  return toIncident(row);
}

export async function getIncident(db: Executor, id: string, forUpdate = false): Promise<Incident | null> {
  let q = db.selectFrom('incidents').selectAll().where('id', '=', id);
  // FOR NO KEY UPDATE, not FOR UPDATE: the foreign keys that point at an incident (a unit's
  // incident_id, assignments, events) take KEY SHARE locks on it, which FOR UPDATE would block —
  // the cause of the deadlocks between concurrent assign/reassign/cancel. We never change its key.
  if (forUpdate) q = q.forNoKeyUpdate();
  const row = await q.executeTakeFirst();
  return row ? toIncident(row) : null;
}

export async function listIncidents(db: Executor, opts: { open?: boolean; limit?: number; since?: Date } = {}): Promise<Incident[]> {
  let q = db.selectFrom('incidents').selectAll();
  if (opts.open) q = q.where('state', 'in', OPEN_STATES as IncidentState[]);
  if (opts.since) q = q.where('created_at', '>=', opts.since);
  const rows = await q
    .orderBy('priority', 'asc')
    .orderBy('created_at', 'asc')
    .limit(opts.limit ?? 500)
    .execute();
  return rows.map(toIncident);
}

/** Sets the state (and optionally the unit), bumps the version; returns the new incident. */
export async function updateIncidentState(
  db: Executor,
  id: string,
  state: IncidentState,
  unit?: { vehicleId: string | null; assignmentId: string | null; hospitalId?: string | null },
): Promise<Incident> {
  const row = await db
    .updateTable('incidents')
    .set({
      state,
      updated_at: sql<Date>`now()`,
      version: sql<number>`version + 1`,
      ...(unit ? { vehicle_id: unit.vehicleId, assignment_id: unit.assignmentId } : {}),
      ...(unit?.hospitalId !== undefined ? { hospital_id: unit.hospitalId } : {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toIncident(row);
}

export async function appendEvent(
  db: Executor,
  incidentId: string,
  type: string,
  actor: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  await db
    .insertInto('incident_events')
    .values({ incident_id: incidentId, type, actor, data: JSON.stringify(data) })
    .execute();
}

export async function timeline(db: Executor, incidentId: string): Promise<TimelineEvent[]> {
  const rows = await db
    .selectFrom('incident_events')
    .select(['ts', 'type', 'actor', 'data'])
    .where('incident_id', '=', incidentId)
    .orderBy('id', 'asc')
    .execute();
  return rows.map((r) => ({ ts: r.ts.toISOString(), type: r.type, actor: r.actor, data: r.data }));
}
