import { sql, type Transaction } from 'kysely';
import type {
  AckMsg,
  AssignmentMsg,
  CancelMsg,
  CreateIncidentResponse,
  CreateIncidentBody,
  Hospital,
  HospitalCase,
  Incident,
  Recommendation,
  StatusMsg,
  UnitRoute,
  UnitStatus,
} from '@lifeline/protocol';
import type { EtaProvider } from '../core/eta.ts';
import { chooseHospitalWithin, hospitalsInRange, type Destination, type HospitalLimits } from '../core/hospitals.ts';
import type { RoutingEtaProvider } from '../core/routing/providers.ts';
import {
  canTransition,
  eventTypeFor,
  incidentStateForUnitStatus,
  releasesUnit,
} from '../core/incidentMachine.ts';
import { DEFAULT_RECOMMEND, recommendUnits, type RecommendOptions } from '../core/recommender.ts';
import type { Counters } from '../counters.ts';
import type { Database, Db } from '../adapters/store/db.ts';
import {
  appendEvent,
  getIncident,
  insertIncidentWithEvents,
  listIncidents,
  toIncident,
  updateIncidentState,
} from '../adapters/store/incidents.ts';
import { ensureVehicle, setOnline } from '../adapters/store/vehicles.ts';
import { claimAckTimeout, dueAckTimeouts } from '../adapters/store/ackTimeouts.ts';
import { getCaller, possibleDuplicates } from '../adapters/store/callers.ts';
import { retryOnConflict } from '../adapters/store/retry.ts';
import { holdClaim, recordResource, type Claim } from '../adapters/store/idempotency.ts';
import type { Fleet } from './fleet.ts';

export type TransitionOutcome =
  | { ok: true; incident: Incident }
  | { ok: false; code: 'NOT_FOUND' | 'INVALID_TRANSITION'; message: string };

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
  /** Tells a unit its assignment is withdrawn (MQTT QoS 1). */
  publishCancel(vehicleId: string, msg: CancelMsg): Promise<void>;
  incidentChanged(incident: Incident): void;
  ackTimedOut(incidentId: string, vehicleId: string): void;
  /** The unit's own status report handed the incident back to the queue (committed). */
  unitReleased(incidentId: string, vehicleId: string, unitStatus: UnitStatus): void;
  /** An event was appended to an incident's timeline without changing the incident (committed). */
  timelineAppended(incidentId: string, type: string): void;
  hospitals(): Hospital[];
  /** Hospitals farther than these are never destinations. */
  hospitalLimits: HospitalLimits;
  ackTimeoutMs: number;
  /** Units whose latest accepted fix is older than this are not recommended, ms. */
  staleAfterMs: number;
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
  private readonly syncChains = new Map<string, Promise<void>>();
  private cluster: ClusterHooks | null = null;

  constructor(private readonly d: DispatchDeps) {}

  /**
   * Several instances: after each commit that changes units, `unitsChanged` tells the others (they
   * re-read them), and recommendations are checked against the database (a unit another instance
   * just assigned may not have reached this one's index yet).
   */
  joinCluster(hooks: ClusterHooks): void {
    this.cluster = hooks;
  }

  /**
   * Takes a call. With an idempotency claim the incident is created only while the claim is ours,
   * and the key records it in the same transaction (null: the claim was taken over meanwhile).
   */
  async createIncident(body: CreateIncidentBody, actor: string, claim?: Claim): Promise<CreateIncidentResponse | null> {
    // Category and priority come with the call, so it is received and triaged at once; incident
    // and events are one statement (committed together, one round trip).
    const events = [
      { type: 'IncidentReceived', actor, data: { line: body.line, channel: body.channel ?? 'phone' } },
      { type: 'IncidentTriaged', actor, data: { category: body.category, priority: body.priority } },
    ];
    const incident = claim
      ? await this.d.db.transaction().execute(async (trx) => {
          if (!(await holdClaim(trx, claim))) return null;
          const created = await insertIncidentWithEvents(trx, body, 'triaged', events);
          await recordResource(trx, claim, created.id);
          return created;
        })
      : await insertIncidentWithEvents(this.d.db, body, 'triaged', events);
    if (!incident) return null;
    this.d.incidentChanged(incident);
    const response = await this.createdResponse(incident, actor);
    // A flagged caller's call is still taken; the flag is on the timeline for whoever reviews it.
    if (response.caller.flagged) await this.note(incident.id, 'CallerFlagged', 'system', { reason: response.caller.flagReason });
    return response;
  }

  /** What taking the call answers: the incident, recommendations, possible duplicates, the caller. */
  async createdResponse(incident: Incident, actor: string): Promise<CreateIncidentResponse> {
    const [recommendations, possible, caller] = await Promise.all([
      this.recommendations(incident, actor),
      possibleDuplicates(this.d.db, incident),
      getCaller(this.d.db, incident.callerPhone),
    ]);
    return { incident, recommendations, possibleDuplicates: possible, caller };
  }

  getIncident(id: string): Promise<Incident | null> {
    return getIncident(this.d.db, id);
  }

  listIncidents(open: boolean, opts: { limit?: number; since?: Date } = {}): Promise<Incident[]> {
    return listIncidents(this.d.db, { open, ...opts });
  }

  /** Recomputes recommendations and records what was shown (the recommendation audit). */
  async recommendations(incident: Incident, actor: string): Promise<Recommendation[]> {
    const now = Date.now();
    const opts = this.d.recommend ?? DEFAULT_RECOMMEND;
    let recs = await recommendUnits(this.d.fleet.index, this.d.eta, incident.location, (id) => this.d.fleet.callSign(id), {
      ...opts,
      ...(this.cluster ? { show: opts.gather } : {}),
      // A unit whose position is stale may be anywhere: do not send it on a guess.
      accept: (e) => this.d.fleet.fresh(e.id, now, this.d.staleAfterMs) && (opts.accept?.(e) ?? true),
    });
    if (this.cluster && recs.length > 0) {
      const free = await availableUnits(this.d.db, recs.map((r) => r.vehicleId));
      recs = recs.filter((r) => free.has(r.vehicleId)).slice(0, opts.show);
    }
    await this.note(incident.id, 'RecommendationsShown', actor, {
      units: recs.map((r) => ({ vehicleId: r.vehicleId, etaSec: r.etaSec, distanceM: r.distanceM, etaSource: r.etaSource })),
    });
    return recs;
  }

  async assign(incidentId: string, vehicleId: string, actor: string, reason?: string): Promise<AssignResult> {
    const destination = await this.destinationFor(incidentId);
    const result = await this.syncingOnFailure([vehicleId], () =>
      retryOnConflict(() =>
        this.d.db
          .transaction()
          .execute(async (trx): Promise<AssignResult> => {
            // Lock order everywhere: vehicle rows (by id), then the incident row.
            const taken = await takeUnit(trx, vehicleId, incidentId);
            if (!taken.ok) return taken;
            const incident = await getIncident(trx, incidentId, true);
            if (!incident) return rollback({ ok: false, code: 'NOT_FOUND', message: `incident ${incidentId} does not exist` });
            return this.recordAssignment(trx, incident, vehicleId, actor, reason, destination);
          })
          .catch((err: unknown) => unwrapRollback<AssignResult>(err)),
      ),
    );
    return this.afterAssign(result, vehicleId, null);
  }

  /**
   * Moves the incident from its current unit to another, in one transaction: the old unit is
   * released (and told so), the new one taken under the same availability rule as `assign`.
   * With `onlyUnackedAssignment`, only while the incident still holds that assignment
   * unacknowledged (the auto-assign retry must not undo a late ack or a dispatcher's choice).
   */
  async reassign(incidentId: string, vehicleId: string, actor: string, reason?: string, onlyUnackedAssignment?: string): Promise<AssignResult> {
    let released: Released | null = null;
    const destination = await this.destinationFor(incidentId);
    const result = await this.withIncident(incidentId, [vehicleId], async (trx, incident): Promise<AssignResult> => {
      if (incident.vehicleId === vehicleId) return { ok: false, code: 'INVALID_TRANSITION', message: `unit ${vehicleId} already holds this incident` };
      if (onlyUnackedAssignment && (incident.assignmentId !== onlyUnackedAssignment || incident.state !== 'assigned')) {
        return { ok: false, code: 'INVALID_TRANSITION', message: 'the assignment was acknowledged or changed meanwhile' };
      }
      if (incident.vehicleId && !canTransition(incident.state, 'triaged')) {
        return { ok: false, code: 'INVALID_TRANSITION', message: `incident is ${incident.state}; its unit cannot be changed now` };
      }
      const taken = await takeUnit(trx, vehicleId, incidentId);
      if (!taken.ok) return rollback(taken);
      let current = incident;
      if (incident.vehicleId) {
        released = await releaseUnit(trx, incident);
        current = await updateIncidentState(trx, incident.id, 'triaged', { vehicleId: null, assignmentId: null });
        await appendEvent(trx, incident.id, 'UnitReleased', actor, { vehicleId: incident.vehicleId, reason: reason ?? null });
      }
      return this.recordAssignment(trx, current, vehicleId, actor, reason, destination);
    });
    return this.afterAssign(result, vehicleId, released);
  }

  /**
   * The server's destination for an incident about to be assigned; null (keep the incident's own)
   * when a dispatcher already chose its hospital, so a change of unit does not undo that choice.
   */
  private async destinationFor(incidentId: string): Promise<Destination | null> {
    const seen = await getIncident(this.d.db, incidentId);
    if (!seen) return null;
    const chosen = await this.d.db.selectFrom('incident_events').select('id').where('incident_id', '=', incidentId).where('type', '=', 'DestinationChanged').executeTakeFirst();
    return chosen ? null : this.chooseDestination(seen);
  }

  /**
   * The dispatcher sends the patient to another hospital, with a reason (on the timeline). Only
   * while a unit holds the call and has not yet reached a hospital; the unit gets its assignment
   * again (same assignment id) carrying the new hospital.
   */
  async changeDestination(incidentId: string, hospitalId: string, actor: string, reason: string): Promise<TransitionOutcome> {
    const hospital = this.d.hospitals().find((h) => h.id === hospitalId);
    if (!hospital) return { ok: false, code: 'NOT_FOUND', message: `hospital ${hospitalId} does not exist` };
    const result = await this.d.db.transaction().execute(async (trx): Promise<TransitionOutcome> => {
      const incident = await getIncident(trx, incidentId, true);
      if (!incident) return { ok: false, code: 'NOT_FOUND', message: `incident ${incidentId} does not exist` };
      if (!DESTINATION_CHANGEABLE.has(incident.state)) {
        return { ok: false, code: 'INVALID_TRANSITION', message: `incident is ${incident.state}; its destination cannot be changed now` };
      }
      if (incident.hospitalId === hospitalId) return { ok: false, code: 'INVALID_TRANSITION', message: `${hospital.name} is already the destination` };
      const updated = await updateIncidentState(trx, incident.id, incident.state, { vehicleId: incident.vehicleId, assignmentId: incident.assignmentId, hospitalId });
      await appendEvent(trx, incident.id, 'DestinationChanged', actor, { hospitalId, fromHospitalId: incident.hospitalId, reason, vehicleId: incident.vehicleId });
      return { ok: true, incident: updated };
    });
    if (!result.ok) return result;
    this.d.incidentChanged(result.incident);
    const { vehicleId, assignmentId } = result.incident;
    if (vehicleId && assignmentId) {
      try {
        await this.d.publishAssignment(vehicleId, this.assignmentMsg(result.incident, assignmentId));
      } catch (err) {
        this.d.log.error({ err, vehicleId, incidentId }, 'new destination could not be published');
        await this.note(incidentId, 'AssignmentPublishFailed', 'system', { vehicleId, assignmentId, error: String(err) });
      }
    }
    return result;
  }

  /** Cancels the call; a unit holding it is released and told to stand down. */
  async cancel(incidentId: string, actor: string, reason?: string): Promise<TransitionOutcome> {
    return this.finish(incidentId, 'cancelled', actor, reason);
  }

  /** Marks a call as a duplicate of an open incident: it is cancelled, and both timelines say so. */
  async merge(sourceId: string, intoId: string, actor: string): Promise<TransitionOutcome> {
    if (sourceId === intoId) return { ok: false, code: 'INVALID_TRANSITION', message: 'an incident cannot be merged into itself' };
    const into = await getIncident(this.d.db, intoId);
    if (!into) return { ok: false, code: 'NOT_FOUND', message: `incident ${intoId} does not exist` };
    if (into.state === 'closed' || into.state === 'cancelled') return { ok: false, code: 'INVALID_TRANSITION', message: `incident #${into.number} is ${into.state}` };
    const r = await this.finish(sourceId, 'cancelled', actor, `duplicate of #${into.number}`);
    if (!r.ok) return r;
    await this.note(sourceId, 'MergedInto', actor, { incidentId: into.id, number: into.number });
    // The second caller stays on the surviving incident (a callback number, a second witness).
    const second = r.incident;
    await this.note(into.id, 'DuplicateMerged', actor, { incidentId: sourceId, number: second.number, callerPhone: second.callerPhone, callerName: second.callerName, calledAt: second.createdAt });
    return r;
  }

  /** Closes the call (after the unit treated on scene or handed over at hospital). */
  async close(incidentId: string, actor: string, reason?: string): Promise<TransitionOutcome> {
    return this.finish(incidentId, 'closed', actor, reason);
  }

  private async finish(incidentId: string, to: 'cancelled' | 'closed', actor: string, reason?: string): Promise<TransitionOutcome> {
    let released: Released | null = null;
    const result = await this.withIncident(incidentId, [], async (trx, incident): Promise<TransitionOutcome> => {
      if (!canTransition(incident.state, to)) {
        return { ok: false, code: 'INVALID_TRANSITION', message: `incident is ${incident.state}; it cannot be ${to}` };
      }
      if (incident.vehicleId) released = await releaseUnit(trx, incident);
      const updated = await updateIncidentState(trx, incident.id, to, { vehicleId: null, assignmentId: null });
      await appendEvent(trx, incident.id, eventTypeFor(incident.state, to), actor, { ...(reason ? { reason } : {}), ...(incident.vehicleId ? { vehicleId: incident.vehicleId } : {}) });
      return { ok: true, incident: updated };
    });
    if (result.ok) {
      this.d.incidentChanged(result.incident);
      if (released) await this.notifyReleased(released, incidentId, reason ?? to);
    }
    return result;
  }

  /**
   * Runs `fn` in a transaction holding the incident's unit row, any `extraUnits` rows (locked in
   * id order) and then the incident row — the same lock order as `assign` and status handling, so
   * they cannot deadlock. Retries when the incident's unit changed in between.
   */
  private async withIncident<R extends AssignResult | TransitionOutcome>(
    incidentId: string,
    extraUnits: string[],
    fn: (trx: Transaction<Database>, incident: Incident) => Promise<R>,
  ): Promise<R> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const seen = await getIncident(this.d.db, incidentId);
      if (!seen) return { ok: false, code: 'NOT_FOUND', message: `incident ${incidentId} does not exist` } as R;
      const units = [...new Set([...(seen.vehicleId ? [seen.vehicleId] : []), ...extraUnits])].sort();
      const out = await this.syncingOnFailure(units, () =>
        retryOnConflict(() =>
          this.d.db
            .transaction()
            .execute(async (trx) => {
              for (const u of units) await trx.selectFrom('vehicles').select('id').where('id', '=', u).forNoKeyUpdate().execute();
              const incident = (await getIncident(trx, incidentId, true))!;
              if (incident.vehicleId !== seen.vehicleId) return null; // changed meanwhile: retry
              return fn(trx, incident);
            })
            .catch((err: unknown) => unwrapRollback<R>(err)),
        ),
      );
      if (out) {
        // Refused (or conflicting): whatever memory guessed meanwhile, it follows the database again.
        if (!out.ok) await this.syncUnits(units);
        return out;
      }
    }
    throw new Error(`incident ${incidentId} kept changing; gave up`);
  }

  private async recordAssignment(
    trx: Transaction<Database>,
    incident: Incident,
    vehicleId: string,
    actor: string,
    reason: string | undefined,
    destination: Destination | null,
  ): Promise<AssignResult> {
    if (!canTransition(incident.state, 'assigned')) {
      return rollback({ ok: false, code: 'INVALID_TRANSITION', message: `incident is ${incident.state}; it cannot be assigned` });
    }
    const assignment = await trx
      .insertInto('assignments')
      .values({ incident_id: incident.id, vehicle_id: vehicleId, assigned_by: actor, reason: reason ?? null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const choice = destination && 'choice' in destination ? destination.choice : null;
    const hospitalId = choice?.hospital.id ?? incident.hospitalId;
    const updated = await updateIncidentState(trx, incident.id, 'assigned', { vehicleId, assignmentId: assignment.id, hospitalId });
    await appendEvent(trx, incident.id, 'UnitAssigned', actor, {
      vehicleId,
      assignmentId: assignment.id,
      ...(reason ? { reason } : {}),
      ...(choice ? { hospitalId: choice.hospital.id, hospitalEtaSec: Math.round(choice.etaSec), hospitalOverridden: choice.overridden } : {}),
    });
    if (destination && 'refused' in destination) await appendEvent(trx, incident.id, 'NoHospitalInRange', 'system', { ...destination.refused });
    return { ok: true, incident: updated, assignmentId: assignment.id };
  }

  private async afterAssign(result: AssignResult, vehicleId: string, released: Released | null): Promise<AssignResult> {
    if (!result.ok) {
      this.d.counters.inc(`assign_rejected_${result.code.toLowerCase()}`);
      await this.syncUnits([vehicleId]);
      return result;
    }
    if (released) await this.notifyReleased(released, result.incident.id, 'reassigned');
    this.d.fleet.setStatus(vehicleId, 'dispatched', result.incident.id);
    await this.syncUnits([vehicleId]);
    this.cluster?.unitsChanged([vehicleId]);
    this.d.incidentChanged(result.incident);
    await this.sendAssignment(result.incident, vehicleId, result.assignmentId);
    return result;
  }

  /** After commit: the released unit is available again and is told over MQTT. */
  private async notifyReleased(r: Released, incidentId: string, reason: string): Promise<void> {
    this.d.fleet.setStatus(r.vehicleId, r.status, null);
    await this.syncUnits([r.vehicleId]);
    this.cluster?.unitsChanged([r.vehicleId]);
    const timer = r.assignmentId ? this.ackTimers.get(r.assignmentId) : undefined;
    if (timer) clearTimeout(timer);
    if (!r.assignmentId) return;
    try {
      await this.d.publishCancel(r.vehicleId, { assignmentId: r.assignmentId, incidentId, reason, ts: Date.now() });
    } catch (err) {
      this.d.log.error({ err, vehicleId: r.vehicleId, incidentId }, 'cancel could not be published');
    }
  }

  /** What the unit is told of its job (sent again, same id, when the destination changes). */
  private assignmentMsg(incident: Incident, assignmentId: string): AssignmentMsg {
    const hospital = this.d.hospitals().find((h) => h.id === incident.hospitalId) ?? null;
    return {
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
  }

  private async sendAssignment(incident: Incident, vehicleId: string, assignmentId: string): Promise<void> {
    try {
      await this.d.publishAssignment(vehicleId, this.assignmentMsg(incident, assignmentId));
      await this.note(incident.id, 'AssignmentPublished', 'system', { vehicleId, assignmentId });
    } catch (err) {
      this.d.log.error({ err, vehicleId, incidentId: incident.id }, 'assignment could not be published');
      await this.note(incident.id, 'AssignmentPublishFailed', 'system', { vehicleId, assignmentId, error: String(err) });
    }
    const timer = setTimeout(() => void this.checkAck(incident.id, vehicleId, assignmentId), this.d.ackTimeoutMs);
    timer.unref();
    this.ackTimers.set(assignmentId, timer);
  }

  private async checkAck(incidentId: string, vehicleId: string, assignmentId: string): Promise<void> {
    clearTimeout(this.ackTimers.get(assignmentId));
    this.ackTimers.delete(assignmentId);
    // Claimed in the database: this timer, a sweep, or another instance's sweep records it once.
    const claimed = await claimAckTimeout(this.d.db, { incidentId, vehicleId, assignmentId }).catch((err: unknown) => {
      this.d.log.error({ err, assignmentId }, 'ack timeout could not be recorded');
      return false;
    });
    if (!claimed) return;
    this.d.counters.inc('ack_timeouts');
    this.d.timelineAppended(incidentId, 'AckTimedOut');
    this.d.ackTimedOut(incidentId, vehicleId);
  }

  /**
   * Alerts every assignment whose ack is overdue and not yet alerted: those made by an instance that
   * stopped (or by this one before a restart), whose timer is gone. Run at start and periodically.
   */
  async sweepAckTimeouts(): Promise<void> {
    for (const due of await dueAckTimeouts(this.d.db, this.d.ackTimeoutMs)) await this.checkAck(due.incidentId, due.vehicleId, due.assignmentId);
  }

  /**
   * Destination hospital for a scene: shortest ETA by the same provider, respecting diversion and
   * capacity, among hospitals within HOSPITAL_MAX_DISTANCE_KM; null when there are no hospitals.
   */
  async chooseDestination(incident: Incident): Promise<Destination | null> {
    const all = this.d.hospitals();
    if (all.length === 0) return null;
    const { inRange, nearestKm } = hospitalsInRange(all, incident.location, this.d.hospitalLimits.maxDistanceM);
    if (inRange.length === 0) return { refused: { reason: 'too_far', nearestKm } };
    const eta = this.d.eta;
    const targets = inRange.map((h) => h.location);
    // Scene → hospitals when the provider can (one-way streets matter); else hospitals → scene.
    const etas = 'oneToMany' in eta ? await (eta as RoutingEtaProvider).oneToMany(incident.location, targets) : await eta.manyToOne(targets, incident.location);
    return chooseHospitalWithin(inRange, etas.map((e) => e.etaSec), this.d.hospitalLimits.maxEtaSec);
  }

  /** The route line of the unit on an incident: to the scene, or to the hospital once transporting. */
  async routeOfUnit(incidentId: string): Promise<UnitRoute | null> {
    const incident = await getIncident(this.d.db, incidentId);
    const unit = incident?.vehicleId ? this.d.fleet.index.get(incident.vehicleId) : undefined;
    if (!incident || !unit?.position) return null;
    const hospital = this.d.hospitals().find((h) => h.id === incident.hospitalId);
    const toHospital = incident.state === 'transporting' && hospital;
    const target = toHospital ? hospital.location : incident.location;
    const from = { lat: unit.position.lat, lng: unit.position.lng };
    const eta = this.d.eta;
    const geometry = 'routeGeometry' in eta ? await (eta as RoutingEtaProvider).routeGeometry(from, target) : null;
    if (geometry) return { vehicleId: unit.id, to: toHospital ? 'hospital' : 'scene', ...geometry };
    const [straight] = await eta.manyToOne([from], target);
    return { vehicleId: unit.id, to: toHospital ? 'hospital' : 'scene', coordinates: [[from.lng, from.lat], [target.lng, target.lat]], etaSec: straight!.etaSec, distanceM: straight!.distanceM, source: straight!.source };
  }

  /** Cases heading to (or at) one hospital, with the unit's live ETA to it. */
  async hospitalCases(hospitalId: string): Promise<HospitalCase[]> {
    const hospital = this.d.hospitals().find((h) => h.id === hospitalId);
    if (!hospital) return [];
    const rows = await this.d.db
      .selectFrom('incidents')
      .selectAll()
      .where('hospital_id', '=', hospitalId)
      .where('state', 'in', ['assigned', 'acknowledged', 'en_route', 'on_scene', 'transporting', 'at_hospital'])
      .orderBy('priority')
      .orderBy('created_at')
      .execute();
    const marks = rows.length
      ? await this.d.db
          .selectFrom('incident_events')
          .select(['incident_id', 'type', this.d.db.fn.min('ts').as('ts')])
          .where('incident_id', 'in', rows.map((r) => r.id))
          .where('type', 'in', ['ArrivalConfirmed', 'PatientHandedOver'])
          .groupBy(['incident_id', 'type'])
          .execute()
      : [];
    const mark = (id: string, type: string) => {
      const m = marks.find((x) => x.incident_id === id && x.type === type);
      return m ? new Date(m.ts as Date).toISOString() : null;
    };
    const out: HospitalCase[] = [];
    for (const row of rows) {
      const i = toIncident(row);
      const unit = i.vehicleId ? this.d.fleet.index.get(i.vehicleId) : undefined;
      const pos = unit?.position ? { lat: unit.position.lat, lng: unit.position.lng } : null;
      let etaSec: number | null = null;
      if (i.state === 'at_hospital') etaSec = 0;
      else if (pos && i.state === 'transporting') etaSec = (await this.d.eta.manyToOne([pos], hospital.location))[0]!.etaSec;
      else if (pos) {
        // Not yet transporting: the earliest arrival is unit → scene → hospital (time on scene not counted).
        const [toScene] = await this.d.eta.manyToOne([pos], i.location);
        const [toHospital] = await this.d.eta.manyToOne([i.location], hospital.location);
        etaSec = toScene!.etaSec + toHospital!.etaSec;
      }
      out.push({
        incidentId: i.id,
        number: i.number,
        state: i.state,
        category: i.category,
        priority: i.priority,
        notes: i.notes,
        vehicleId: i.vehicleId,
        callSign: i.vehicleId ? this.d.fleet.callSign(i.vehicleId) : null,
        unitPosition: pos,
        etaSec: etaSec === null ? null : Math.round(etaSec),
        arrivalConfirmedAt: mark(i.id, 'ArrivalConfirmed'),
        handedOverAt: mark(i.id, 'PatientHandedOver'),
        updatedAt: i.updatedAt,
      });
    }
    return out;
  }

  /** Hospital staff record arrival or handover of a case heading to their hospital. */
  async hospitalEvent(hospitalId: string, incidentId: string, type: 'ArrivalConfirmed' | 'PatientHandedOver', actor: string): Promise<TransitionOutcome> {
    const incident = await getIncident(this.d.db, incidentId);
    if (!incident || incident.hospitalId !== hospitalId) return { ok: false, code: 'NOT_FOUND', message: 'no such case for this hospital' };
    if (!['transporting', 'at_hospital'].includes(incident.state)) {
      return { ok: false, code: 'INVALID_TRANSITION', message: `the case is ${incident.state}; the patient has not left the scene` };
    }
    const already = await this.d.db.selectFrom('incident_events').select('id').where('incident_id', '=', incidentId).where('type', '=', type).executeTakeFirst();
    if (already) return { ok: false, code: 'INVALID_TRANSITION', message: type === 'ArrivalConfirmed' ? 'arrival is already confirmed' : 'the handover is already recorded' };
    await this.note(incidentId, type, actor, { hospitalId });
    if (incident.hospitalId) this.d.incidentChanged(incident);
    return { ok: true, incident };
  }

  /** Appends an event that does not change the incident, then tells live clients its timeline grew. */
  async note(incidentId: string, type: string, actor: string, data: Record<string, unknown>): Promise<void> {
    await appendEvent(this.d.db, incidentId, type, actor, data);
    this.d.timelineAppended(incidentId, type);
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

  /** First sight of a unit (or an admin registering it): register it in the database and the live fleet. */
  async ensureUnit(vehicleId: string, callSign = vehicleId): Promise<void> {
    if (this.d.fleet.has(vehicleId)) return;
    await ensureVehicle(this.d.db, vehicleId, callSign);
    this.d.fleet.register(vehicleId, callSign);
    this.d.counters.inc('units_registered');
    this.cluster?.unitsChanged([vehicleId]);
  }

  async markOnline(vehicleId: string, online: boolean): Promise<void> {
    // The database first, then memory, like every other change: whoever sees the unit offline in
    // the live fleet finds it offline in the database too.
    if ((this.d.fleet.index.get(vehicleId)?.online ?? false) === online) return;
    await setOnline(this.d.db, vehicleId, online);
    this.d.fleet.setOnline(vehicleId, online);
    this.cluster?.unitsChanged([vehicleId]);
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
    const changed = await retryOnConflict(() => this.d.db.transaction().execute(async (trx) => {
      const unit = await trx
        .selectFrom('vehicles')
        .select(['status', 'incident_id', 'status_device_ts'])
        .where('id', '=', vehicleId)
        .forNoKeyUpdate()
        .executeTakeFirst();
      if (!unit) return null;
      const deviceTs = new Date(msg.ts);
      if (unit.status_device_ts && deviceTs <= unit.status_device_ts) return { stale: true as const };
      if (msg.assignmentId !== undefined && !(await answersCurrentAssignment(trx, unit.incident_id, msg))) return { stale: true as const, other: true };
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
          // The crew may choose another hospital when it starts transporting.
          const chosen = target === 'transporting' && msg.hospitalId && this.d.hospitals().some((h) => h.id === msg.hospitalId) ? msg.hospitalId : undefined;
          incident = await updateIncidentState(
            trx,
            current.id,
            target,
            release ? { vehicleId: null, assignmentId: null } : chosen ? { vehicleId: current.vehicleId, assignmentId: current.assignmentId, hospitalId: chosen } : undefined,
          );
          await appendEvent(trx, current.id, eventTypeFor(current.state, target), `unit:${vehicleId}`, {
            vehicleId,
            unitStatus: msg.status,
            deviceTs: msg.ts,
            ...(chosen ? { hospitalId: chosen } : {}),
          });
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
      return { stale: false as const, status, incidentId, incident, handedBack: incident?.state === 'triaged' };
    }));
    if (!changed) return;
    if (changed.stale) {
      this.d.counters.inc('other' in changed ? 'unit_status_other_assignment' : 'unit_status_stale');
      return;
    }
    this.d.fleet.setOnline(vehicleId, true);
    this.d.fleet.setStatus(vehicleId, changed.status, changed.incidentId);
    await this.syncUnits([vehicleId]);
    this.cluster?.unitsChanged([vehicleId]);
    if (changed.incident) this.d.incidentChanged(changed.incident);
    // Nobody is on the way any more: the dispatcher must hear it, not find it in the queue.
    if (changed.incident && changed.handedBack) this.d.unitReleased(changed.incident.id, vehicleId, msg.status);
  }

  /**
   * Re-reads units from the database into the live fleet, one read at a time per unit. Updates
   * applied after concurrent commits can land in memory out of commit order; a read that starts
   * after a commit sees it, and the reads of one unit run in order, so the last one leaves memory
   * equal to the database.
   */
  private syncUnits(ids: string[]): Promise<void> {
    return Promise.all(
      ids.map((id) => {
        const next = (this.syncChains.get(id) ?? Promise.resolve()).then(async () => {
          const row = await this.d.db.selectFrom('vehicles').select(['status', 'incident_id']).where('id', '=', id).executeTakeFirst();
          if (row && (this.d.fleet.index.get(id)?.status !== row.status || this.d.fleet.view(id)?.incidentId !== row.incident_id)) {
            this.d.fleet.setStatus(id, row.status as UnitStatus, row.incident_id);
          }
        });
        const settled = next.catch((err: unknown) => this.d.log.warn({ err, vehicleId: id }, 'live fleet could not re-read a unit'));
        this.syncChains.set(id, settled);
        void settled.then(() => {
          if (this.syncChains.get(id) === settled) this.syncChains.delete(id);
        });
        return settled;
      }),
    ).then(() => undefined);
  }

  /** Runs a command's transaction; if it fails, the units it touched are re-read before the error goes on. */
  private async syncingOnFailure<T>(ids: string[], fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      await this.syncUnits(ids);
      throw err;
    }
  }

  stop(): void {
    for (const t of this.ackTimers.values()) clearTimeout(t);
    this.ackTimers.clear();
  }
}

/** A unit holds the call and has not reached a hospital yet. */
const DESTINATION_CHANGEABLE: ReadonlySet<Incident['state']> = new Set(['assigned', 'acknowledged', 'en_route', 'on_scene', 'transporting']);

export interface ClusterHooks {
  unitsChanged(vehicleIds: string[]): void;
}

interface Released {
  vehicleId: string;
  assignmentId: string | null;
  status: UnitStatus;
}

/** Takes an available, online unit for an incident; the conditional update is the arbiter. */
async function takeUnit(trx: Transaction<Database>, vehicleId: string, incidentId: string): Promise<{ ok: true } | AssignResult & { ok: false }> {
  const unit = await trx
    .updateTable('vehicles')
    .set({ status: 'dispatched', incident_id: incidentId, status_changed_at: sql<Date>`now()` })
    .where('id', '=', vehicleId)
    .where('status', '=', 'available')
    .where('online', '=', true)
    .returning('id')
    .executeTakeFirst();
  if (unit) return { ok: true };
  const exists = await trx.selectFrom('vehicles').select('id').where('id', '=', vehicleId).executeTakeFirst();
  return exists
    ? { ok: false, code: 'UNIT_UNAVAILABLE', message: `unit ${vehicleId} is not available` }
    : { ok: false, code: 'NOT_FOUND', message: `unit ${vehicleId} does not exist` };
}

/**
 * Whether a status naming `msg.assignmentId` answers the unit's current assignment. With no
 * current assignment, a status that needs none (available, out of service) still applies.
 */
async function answersCurrentAssignment(trx: Transaction<Database>, incidentId: string | null, msg: StatusMsg): Promise<boolean> {
  const current = incidentId ? ((await trx.selectFrom('incidents').select('assignment_id').where('id', '=', incidentId).executeTakeFirst())?.assignment_id ?? null) : null;
  if (current === null) return msg.status === 'available' || msg.status === 'out_of_service';
  return current === msg.assignmentId;
}

/** Of `ids`, the units the database holds available and online (the arbiter, read now). */
async function availableUnits(db: Db, ids: string[]): Promise<Set<string>> {
  const rows = await db.selectFrom('vehicles').select('id').where('id', 'in', ids).where('status', '=', 'available').where('online', '=', true).execute();
  return new Set(rows.map((r) => r.id));
}

/** Frees the incident's unit (a unit still heading to the scene becomes available at once). */
async function releaseUnit(trx: Transaction<Database>, incident: Incident): Promise<Released> {
  const vehicleId = incident.vehicleId!;
  const row = await trx
    .updateTable('vehicles')
    .set({
      incident_id: null,
      status: sql<string>`CASE WHEN status IN ('dispatched', 'en_route') THEN 'available' ELSE status END`,
      status_changed_at: sql<Date>`now()`,
    })
    .where('id', '=', vehicleId)
    .where('incident_id', '=', incident.id)
    .returning('status')
    .executeTakeFirst();
  if (incident.assignmentId) {
    await trx.updateTable('assignments').set({ ended_at: sql<Date>`now()` }).where('id', '=', incident.assignmentId).where('ended_at', 'is', null).execute();
  }
  return { vehicleId, assignmentId: incident.assignmentId, status: (row?.status ?? 'available') as UnitStatus };
}

function unwrapRollback<T>(err: unknown): T {
  if (err instanceof Rollback) return err.result as T;
  throw err;
}

class Rollback extends Error {
  constructor(readonly result: AssignResult | TransitionOutcome) {
    super('rollback');
  }
}

/** Throws to roll the transaction back, carrying the typed result out of it. */
function rollback(result: AssignResult | TransitionOutcome): never {
  throw new Rollback(result);
}

function uuidOrNull(s: string): string | null {
  return /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s) ? s : null;
}
