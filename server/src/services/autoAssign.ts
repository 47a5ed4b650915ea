import { AUTO_ASSIGN_ACTOR, type AutoAssignOutcome, type AutoAssignSkip, type CreateIncidentResponse, type EtaSource, type Recommendation } from '@lifeline/protocol';
import { sql } from 'kysely';
import { coversPriority, decideAfterNoAck, decideAtIntake, type AutoAssignPolicy } from '../core/autoAssignPolicy.ts';
import type { Db } from '../adapters/store/db.ts';
import type { Counters } from '../counters.ts';
import type { DispatchService } from './dispatch.ts';

export interface AutoAssignDeps {
  db: Db;
  dispatch: DispatchService;
  policy: AutoAssignPolicy;
  /** The ETA source the server asks first; a recommendation from any other is a fallback. */
  primaryEtaSource: EtaSource;
  counters: Counters;
  log: { warn(o: object, m: string): void; error(o: object, m: string): void };
}

/**
 * The auto-assign policy applied to live calls, through the same atomic assignment as the
 * dispatcher's (`DispatchService.assign` / `reassign`), as actor `system:auto`. Every decision
 * is on the incident's timeline: AutoAssigned, AutoReassigned, AutoAssignSkipped,
 * AutoAssignStopped. What it did is read back from the `assignments` rows, not kept in memory,
 * so any server instance can take the next step.
 */
export class AutoAssigner {
  constructor(private readonly d: AutoAssignDeps) {}

  /** After a call is created (committed): assign its best unit when the policy says so. Never throws. */
  async afterCreate(res: CreateIncidentResponse): Promise<CreateIncidentResponse> {
    const { incident } = res;
    if (!coversPriority(this.d.policy, incident.priority)) return res;
    try {
      const decision = decideAtIntake(
        this.d.policy,
        { priority: incident.priority, state: incident.state, vehicleId: incident.vehicleId, possibleDuplicates: res.possibleDuplicates.length, callerFlagged: res.caller.flagged },
        res.recommendations,
        this.d.primaryEtaSource,
        await this.missedAckRecently(),
      );
      if (!decision.assign) {
        // The unit that was too far, or ranked by a fallback ETA, is named on the timeline.
        const best = decision.skip === 'eta_too_long' || decision.skip === 'fallback_eta' ? res.recommendations[0] : undefined;
        return { ...res, autoAssign: await this.skipped(incident.id, decision.skip, best) };
      }
      const taken: string[] = [];
      for (const unit of decision.candidates) {
        const r = await this.d.dispatch.assign(incident.id, unit.vehicleId, AUTO_ASSIGN_ACTOR);
        if (r.ok) {
          this.d.counters.inc('auto_assigned');
          await this.d.dispatch.note(incident.id, 'AutoAssigned', AUTO_ASSIGN_ACTOR, {
            ...this.why(unit, incident.priority),
            attempt: 1,
            ...(taken.length ? { taken } : {}),
          });
          return { ...res, incident: r.incident, autoAssign: { assigned: true, vehicleId: unit.vehicleId, callSign: unit.callSign, etaSec: unit.etaSec, skip: null } };
        }
        // Assigned, merged or cancelled by a dispatcher in the meantime: theirs is the decision.
        if (r.code === 'INVALID_TRANSITION') return { ...res, autoAssign: await this.skipped(incident.id, 'not_open', undefined) };
        taken.push(unit.vehicleId); // the unit was taken between recommendation and assignment
      }
      return { ...res, autoAssign: await this.skipped(incident.id, 'units_taken', undefined, { taken }) };
    } catch (err) {
      // The call is taken all the same: the dispatcher sees the recommendations as without the policy.
      this.d.counters.inc('auto_assign_errors');
      this.d.log.error({ err, incidentId: incident.id }, 'auto-assign failed');
      return res;
    }
  }

  /**
   * A unit did not acknowledge in time. When the system assigned it, the next best untried unit
   * gets the incident (up to `maxAttempts` units in all). Returns the new unit, or null when the
   * dispatcher must act. Never throws.
   */
  async afterNoAck(incidentId: string, vehicleId: string): Promise<string | null> {
    if (this.d.policy.priorities.length === 0) return null;
    try {
      const incident = await this.d.dispatch.getIncident(incidentId);
      if (!incident?.assignmentId || incident.state !== 'assigned' || incident.vehicleId !== vehicleId) return null;
      const rows = await this.d.db.selectFrom('assignments').select(['id', 'vehicle_id', 'assigned_by', 'acked_at']).where('incident_id', '=', incidentId).execute();
      const current = rows.find((r) => r.id === incident.assignmentId);
      // A dispatcher's own choice of unit stays theirs to change.
      if (!current || current.assigned_by !== AUTO_ASSIGN_ACTOR || current.acked_at) return null;
      const attempts = rows.filter((r) => r.assigned_by === AUTO_ASSIGN_ACTOR).length;
      const tried = new Set(rows.map((r) => r.vehicle_id));
      const recs = attempts < this.d.policy.maxAttempts ? await this.d.dispatch.recommendations(incident, AUTO_ASSIGN_ACTOR) : [];
      const decision = decideAfterNoAck(this.d.policy, attempts, recs, tried, this.d.primaryEtaSource, recs.length ? await this.missedAckRecently() : new Set());
      const stopped = async (skip: AutoAssignSkip, extra: Record<string, unknown> = {}) => {
        this.d.counters.inc('auto_assign_stopped');
        await this.d.dispatch.note(incidentId, 'AutoAssignStopped', AUTO_ASSIGN_ACTOR, { why: skip, vehicleId, attempts, ...extra });
        return null;
      };
      if (!decision.assign) return await stopped(decision.skip);
      const taken: string[] = [];
      for (const unit of decision.candidates) {
        const r = await this.d.dispatch.reassign(incidentId, unit.vehicleId, AUTO_ASSIGN_ACTOR, undefined, current.id);
        if (r.ok) {
          this.d.counters.inc('auto_reassigned');
          await this.d.dispatch.note(incidentId, 'AutoReassigned', AUTO_ASSIGN_ACTOR, {
            ...this.why(unit, incident.priority),
            fromVehicleId: vehicleId,
            attempt: attempts + 1,
            ...(taken.length ? { taken } : {}),
          });
          return unit.vehicleId;
        }
        if (r.code === 'INVALID_TRANSITION') return null; // acked late, or a dispatcher acted meanwhile
        taken.push(unit.vehicleId);
      }
      return await stopped('units_taken', { taken });
    } catch (err) {
      this.d.counters.inc('auto_assign_errors');
      this.d.log.error({ err, incidentId, vehicleId }, 'auto-reassign after no ack failed');
      return null;
    }
  }

  /** Units with an AckTimedOut within the cool-down (sql/006 indexes these events by time). */
  private async missedAckRecently(): Promise<Set<string>> {
    const sec = this.d.policy.ackCooldownSec;
    if (sec <= 0) return new Set();
    const rows = await this.d.db
      .selectFrom('incident_events')
      .select(sql<string>`data->>'vehicleId'`.as('vehicleId'))
      .distinct()
      .where('type', '=', 'AckTimedOut')
      .where('ts', '>', sql<Date>`now() - make_interval(secs => ${sec})`)
      .execute();
    return new Set(rows.map((r) => r.vehicleId).filter(Boolean));
  }

  /** The timeline's account of why this unit was chosen. */
  private why(unit: Recommendation, priority: number): Record<string, unknown> {
    return {
      vehicleId: unit.vehicleId,
      priority,
      etaSec: unit.etaSec,
      etaSource: unit.etaSource,
      maxEtaSec: this.d.policy.maxEtaSec,
      maxAttempts: this.d.policy.maxAttempts,
    };
  }

  private async skipped(incidentId: string, skip: AutoAssignSkip, best: Recommendation | undefined, extra: Record<string, unknown> = {}): Promise<AutoAssignOutcome> {
    this.d.counters.inc(`auto_assign_skipped_${skip}`);
    await this.d.dispatch.note(incidentId, 'AutoAssignSkipped', AUTO_ASSIGN_ACTOR, {
      why: skip,
      ...(best ? { vehicleId: best.vehicleId, etaSec: best.etaSec, etaSource: best.etaSource } : {}),
      maxEtaSec: this.d.policy.maxEtaSec,
      ...extra,
    });
    return { assigned: false, vehicleId: null, callSign: null, etaSec: null, skip };
  }
}
