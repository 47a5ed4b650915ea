import { sql } from 'kysely';
import type {
  AckMsg,
  AssignmentMsg,
  CreateIncidentBody,
  Hospital,
  Incident,
  Recommendation,
  StatusMsg,
} from '@lifeline/protocol';
import type { EtaProvider } from '../core/eta.ts';
import {
  canTransition,
  eventTypeFor,
  incidentStateForUnitStatus,
  releasesUnit,
} from '../core/incidentMachine.ts';
import { DEFAULT_RECOMMEND, recommendUnits, type RecommendOptions } from '../core/recommender.ts';
import type { Counters } from '../counters.ts';
import type { Db } from '../adapters/store/db.ts';
import {
  appendEvent,
  getIncident,
  insertIncident,
  listIncidents,
  updateIncidentState,
} from '../adapters/store/incidents.ts';
import { ensureVehicle, setOnline } from '../adapters/store/vehicles.ts';
import type { Fleet } from './fleet.ts';

export type AssignResult =
  | { ok: true; incident: Incident; assignmentId: string }
  | { ok: false; code: 'NOT_FOUND' | 'UNIT_UNAVAILABLE' | 'INVALID_TRANSITION'; message: string };

export interface DispatchDeps {
  db: Db;
  fleet: Fleet;
  eta: EtaProvider;
  counters: Counters;
  /** Publishes the assignment to the unit (MQTT QoS 1); resolves on the broker's PUBACK. */
  publishAssignment(vehicleId: string, msg: AssignmentMsg): Promise<void>;
  incidentChanged(incident: Incident): void;
  ackTimedOut(incidentId: string, vehicleId: string): void;
  hospitals(): Hospital[];
  ackTimeoutMs: number;
  recommend?: RecommendOptions;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
}

/**
 * The dispatch workflow: incidents, recommendations, atomic assignment, and the unit's acks and
 * statuses moving incidents through their states. The database is the arbiter; the in-memory
 * fleet follows it after each commit. Messages from one unit are handled one at a time, in order.
 */
export class DispatchService {
  private readonly ackTimers = new Map<string, NodeJS.Timeout>();
  private readonly unitQueues = new Map<string, Promise<void>>();

  constructor(private readonly d: DispatchDeps) {}

  async createIncident(body: CreateIncidentBody, actor: string): Promise<{ incident: Incident; recommendations: Recommendation[] }> {
    const incident = await this.d.db.transaction().execute(async (trx) => {
      // Category and priority come with the call, so it is received and triaged at once.
      const created = await insertIncident(trx, body, 'triaged');
      await appendEvent(trx, created.id, 'IncidentReceived', actor, { line: body.line, channel: body.channel ?? 'phone' });
      await appendEvent(trx, created.id, 'IncidentTriaged', actor, { category: body.category, priority: body.priority });
      return created;
    });
    this.d.incidentChanged(incident);
    const recommendations = await this.recommendations(incident, actor);
    return { incident, recommendations };
  }

  getIncident(id: string): Promise<Incident | null> {
    return getIncident(this.d.db, id);
  }

  listIncidents(open: boolean): Promise<Incident[]> {
    return listIncidents(this.d.db, { open });
  }

  /** Recomputes recommendations and records what was shown (the recommendation audit). */
  async recommendations(incident: Incident, actor: string): Promise<Recommendation[]> {
    const recs = await recommendUnits(this.d.fleet.index, this.d.eta, incident.location, (id) => this.d.fleet.callSign(id), this.d.recommend ?? DEFAULT_RECOMMEND);
    await appendEvent(this.d.db, incident.id, 'RecommendationsShown', actor, {
      units: recs.map((r) => ({ vehicleId: r.vehicleId, etaSec: r.etaSec, distanceM: r.distanceM, etaSource: r.etaSource })),
    });
    return recs;
  }

  async assign(incidentId: string, vehicleId: string, actor: string, reason?: string): Promise<AssignResult> {
    const result = await this.d.db.transaction().execute(async (trx): Promise<AssignResult> => {
      // Lock order everywhere: the vehicle row, then the incident row.
      const unit = await trx
        .updateTable('vehicles')
        .set({ status: 'dispatched', incident_id: incidentId, status_changed_at: sql<Date>`now()` })
        .where('id', '=', vehicleId)
        .where('status', '=', 'available')
        .where('online', '=', true)
        .returning('id')
        .executeTakeFirst();
      if (!unit) {
        const exists = await trx.selectFrom('vehicles').select('id').where('id', '=', vehicleId).executeTakeFirst();
        return exists
          ? { ok: false, code: 'UNIT_UNAVAILABLE', message: `unit ${vehicleId} is not available` }
          : { ok: false, code: 'NOT_FOUND', message: `unit ${vehicleId} does not exist` };
      }
      const incident = await getIncident(trx, incidentId, true);
      if (!incident) return rollback({ ok: false, code: 'NOT_FOUND', message: `incident ${incidentId} does not exist` });
      if (!canTransition(incident.state, 'assigned')) {
        return rollback({ ok: false, code: 'INVALID_TRANSITION', message: `incident is ${incident.state}; it cannot be assigned` });
      }
      const assignment = await trx
        .insertInto('assignments')
        .values({ incident_id: incidentId, vehicle_id: vehicleId, assigned_by: actor, reason: reason ?? null })
        .returning('id')
        .executeTakeFirstOrThrow();
      const updated = await updateIncidentState(trx, incidentId, 'assigned', { vehicleId, assignmentId: assignment.id });
      await appendEvent(trx, incidentId, 'UnitAssigned', actor, { vehicleId, assignmentId: assignment.id, ...(reason ? { reason } : {}) });
      return { ok: true, incident: updated, assignmentId: assignment.id };
    }).catch((err: unknown) => {
      if (err instanceof Rollback) return err.result;
      throw err;
    });
    if (!result.ok) {
      this.d.counters.inc(`assign_rejected_${result.code.toLowerCase()}`);
      return result;
    }
    this.d.fleet.setStatus(vehicleId, 'dispatched', incidentId);
    this.d.incidentChanged(result.incident);
    await this.sendAssignment(result.incident, vehicleId, result.assignmentId, actor);
    return result;
  }

  private async sendAssignment(incident: Incident, vehicleId: string, assignmentId: string, actor: string): Promise<void> {
    const hospital = this.nearestHospital(incident);
    const msg: AssignmentMsg = {
      assignmentId,
      incidentId: incident.id,
      assignedAt: Date.now(),
      incident: {
        line: incident.line,
        category: incident.category,
        priority: incident.priority,
        location: incident.location,
        ...(incident.address ? { address: incident.address } : {}),
        ...(incident.notes ? { notes: incident.notes } : {}),
      },
      destination: incident.location,
      ...(hospital ? { hospital: { id: hospital.id, name: hospital.name, location: hospital.location } } : {}),
    };
    try {
      await this.d.publishAssignment(vehicleId, msg);
      await appendEvent(this.d.db, incident.id, 'AssignmentPublished', 'system', { vehicleId, assignmentId });
    } catch (err) {
      this.d.log.error({ err, vehicleId, incidentId: incident.id }, 'assignment could not be published');
      await appendEvent(this.d.db, incident.id, 'AssignmentPublishFailed', 'system', { vehicleId, assignmentId, error: String(err) });
    }
    const timer = setTimeout(() => void this.checkAck(incident.id, vehicleId, assignmentId), this.d.ackTimeoutMs);
    timer.unref();
    this.ackTimers.set(assignmentId, timer);
    void actor;
  }

  private async checkAck(incidentId: string, vehicleId: string, assignmentId: string): Promise<void> {
    this.ackTimers.delete(assignmentId);
    const row = await this.d.db
      .selectFrom('assignments')
      .select(['acked_at', 'ended_at'])
      .where('id', '=', assignmentId)
      .executeTakeFirst()
      .catch(() => undefined);
    if (!row || row.acked_at || row.ended_at) return;
    this.d.counters.inc('ack_timeouts');
    await appendEvent(this.d.db, incidentId, 'AckTimedOut', 'system', { vehicleId, assignmentId }).catch(() => undefined);
    this.d.ackTimedOut(incidentId, vehicleId);
  }

  /** Nearest hospital to the scene by the same straight-line measure (road ETA comes with the router). */
  private nearestHospital(incident: Incident): Hospital | null {
    let best: Hospital | null = null;
    let bestD = Infinity;
    for (const h of this.d.hospitals()) {
      const d = (h.location.lat - incident.location.lat) ** 2 + ((h.location.lng - incident.location.lng) * Math.cos((incident.location.lat * Math.PI) / 180)) ** 2;
      if (d < bestD) {
        bestD = d;
        best = h;
      }
    }
    return best;
  }

  /** Runs `fn` after every earlier message of the same unit has been handled. */
  inOrder(vehicleId: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.unitQueues.get(vehicleId) ?? Promise.resolve();
    const next = prev.then(fn).catch((err: unknown) => {
      this.d.counters.inc('unit_message_errors');
      this.d.log.error({ err, vehicleId }, 'unit message failed');
    });
    this.unitQueues.set(vehicleId, next);
    void next.then(() => {
      if (this.unitQueues.get(vehicleId) === next) this.unitQueues.delete(vehicleId);
    });
    return next;
  }

  /** First sight of a unit: register it in the database and the live fleet. */
  async ensureUnit(vehicleId: string): Promise<void> {
    if (this.d.fleet.has(vehicleId)) return;
    await ensureVehicle(this.d.db, vehicleId);
    this.d.fleet.register(vehicleId);
    this.d.counters.inc('units_registered');
  }

  async markOnline(vehicleId: string, online: boolean): Promise<void> {
    if (this.d.fleet.setOnline(vehicleId, online)) await setOnline(this.d.db, vehicleId, online);
  }

  async onAck(vehicleId: string, ack: AckMsg): Promise<void> {
    const updated = await this.d.db.transaction().execute(async (trx) => {
      const a = await trx
        .updateTable('assignments')
        .set({ acked_at: sql<Date>`now()` })
        .where('id', '=', sql<string>`${uuidOrNull(ack.assignmentId)}::uuid`)
        .where('vehicle_id', '=', vehicleId)
        .where('acked_at', 'is', null)
        .where('ended_at', 'is', null)
        .returning('incident_id')
        .executeTakeFirst();
      if (!a) return null;
      const incident = await getIncident(trx, a.incident_id, true);
      if (!incident || !canTransition(incident.state, 'acknowledged')) {
        await appendEvent(trx, a.incident_id, 'AssignmentAcknowledged', `unit:${vehicleId}`, { assignmentId: ack.assignmentId, deviceTs: ack.ts, late: true });
        return null;
      }
      const next = await updateIncidentState(trx, incident.id, 'acknowledged');
      await appendEvent(trx, incident.id, 'AssignmentAcknowledged', `unit:${vehicleId}`, { assignmentId: ack.assignmentId, deviceTs: ack.ts });
      return next;
    });
    const timer = this.ackTimers.get(ack.assignmentId);
    if (timer) {
      clearTimeout(timer);
      this.ackTimers.delete(ack.assignmentId);
    }
    if (updated) this.d.incidentChanged(updated);
    else this.d.counters.inc('acks_ignored');
  }

  /**
   * A status reported by the unit. Stale reports (device time not after the last applied one,
   * e.g. a retained message replayed on reconnect) change nothing. `offline` only marks the unit
   * offline: the work status is kept for when it comes back.
   */
  async onUnitStatus(vehicleId: string, msg: StatusMsg): Promise<void> {
    if (msg.status === 'offline') {
      await this.markOnline(vehicleId, false);
      return;
    }
    const changed = await this.d.db.transaction().execute(async (trx) => {
      const unit = await trx
        .selectFrom('vehicles')
        .select(['status', 'incident_id', 'status_device_ts'])
        .where('id', '=', vehicleId)
        .forUpdate()
        .executeTakeFirst();
      if (!unit) return null;
      const deviceTs = new Date(msg.ts);
      if (unit.status_device_ts && deviceTs <= unit.status_device_ts) return { stale: true as const };
      let incident: Incident | null = null;
      let incidentId = unit.incident_id;
      if (incidentId) {
        const current = await getIncident(trx, incidentId, true);
        const assignment = current?.assignmentId
          ? await trx.selectFrom('assignments').select('assigned_at').where('id', '=', current.assignmentId).executeTakeFirst()
          : undefined;
        // A report older than the assignment predates it (e.g. sent while the assignment was in flight).
        const predates = assignment && deviceTs < assignment.assigned_at;
        const target = current && !predates ? incidentStateForUnitStatus(current.state, msg.status) : null;
        if (current && target) {
          const release = releasesUnit(target);
          incident = await updateIncidentState(trx, current.id, target, release ? { vehicleId: null, assignmentId: null } : undefined);
          await appendEvent(trx, current.id, eventTypeFor(current.state, target), `unit:${vehicleId}`, { vehicleId, unitStatus: msg.status, deviceTs: msg.ts });
          if (release) {
            await trx.updateTable('assignments').set({ ended_at: sql<Date>`now()` }).where('vehicle_id', '=', vehicleId).where('ended_at', 'is', null).execute();
            incidentId = null;
          }
        } else if (predates) {
          return { stale: true as const };
        }
      }
      const status = msg.status === 'dispatched' && !incidentId ? 'available' : msg.status;
      await trx
        .updateTable('vehicles')
        .set({ status, incident_id: incidentId, status_device_ts: deviceTs, online: true, status_changed_at: sql<Date>`now()` })
        .where('id', '=', vehicleId)
        .execute();
      return { stale: false as const, status, incidentId, incident };
    });
    if (!changed) return;
    if (changed.stale) {
      this.d.counters.inc('unit_status_stale');
      return;
    }
    this.d.fleet.setOnline(vehicleId, true);
    this.d.fleet.setStatus(vehicleId, changed.status, changed.incidentId);
    if (changed.incident) this.d.incidentChanged(changed.incident);
  }

  stop(): void {
    for (const t of this.ackTimers.values()) clearTimeout(t);
    this.ackTimers.clear();
  }
}

class Rollback extends Error {
  constructor(readonly result: AssignResult) {
    super('rollback');
  }
}

/** Throws to roll the transaction back, carrying the typed result out of it. */
function rollback(result: AssignResult): never {
  throw new Rollback(result);
}

function uuidOrNull(s: string): string | null {
  return /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s) ? s : null;
}
