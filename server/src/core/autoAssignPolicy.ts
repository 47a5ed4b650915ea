import type { AutoAssignSkip, EtaSource, Recommendation } from '@lifeline/protocol';
import { envIntReader } from './envInt.ts';

/**
 * When the system assigns a unit without waiting for the dispatcher (DESIGN, Dispatch 3: "or the
 * policy auto-assigns when configured"). Off unless priorities are listed.
 */
export interface AutoAssignPolicy {
  /** Priorities assigned automatically (1 = most urgent); empty = auto-assign off. */
  priorities: readonly number[];
  /** Only when the best unit's ETA is at most this, seconds. A far unit is the dispatcher's call. */
  maxEtaSec: number;
  /**
   * Most units the system assigns to one incident on its own: the first, then the next best each
   * time one does not acknowledge in time. After that the dispatcher alone decides.
   */
  maxAttempts: number;
  /**
   * A unit that missed an acknowledgement this recently is not assigned automatically (its
   * tablet may be off or out of coverage), seconds; 0 = no cool-down. The dispatcher still may.
   */
  ackCooldownSec: number;
}

export const AUTO_ASSIGN_OFF: AutoAssignPolicy = { priorities: [], maxEtaSec: 900, maxAttempts: 3, ackCooldownSec: 900 };

/**
 * How many recommendations one decision may try when the unit it picked was taken in the
 * meantime (409 from the atomic assignment). Bounded: the list was computed moments ago, a third
 * miss means it is stale and a human should look.
 */
export const MAX_TAKEN_RETRIES = 3;

export type AutoAssignDecision =
  | { assign: true; /** Eligible units, best first (at most MAX_TAKEN_RETRIES): try in order. */ candidates: Recommendation[] }
  | { assign: false; skip: AutoAssignSkip };

/** The call as the policy sees it at intake. */
export interface IntakeFacts {
  priority: number;
  state: string;
  vehicleId: string | null;
  possibleDuplicates: number;
  callerFlagged: boolean;
}

/** Whether the policy covers calls of this priority at all (when not, nothing is recorded). */
export function coversPriority(policy: AutoAssignPolicy, priority: number): boolean {
  return policy.priorities.includes(priority);
}

/**
 * At intake: assign automatically, and which units to try, given the recommendations (best
 * first) and the ETA source the server asks first (`primarySource`). Call only when
 * `coversPriority` holds.
 */
export function decideAtIntake(
  policy: AutoAssignPolicy,
  call: IntakeFacts,
  recs: readonly Recommendation[],
  primarySource: EtaSource,
  missedAck: ReadonlySet<string> = new Set(),
): AutoAssignDecision {
  if (call.state !== 'triaged' || call.vehicleId !== null) return { assign: false, skip: 'not_open' };
  if (call.possibleDuplicates > 0) return { assign: false, skip: 'possible_duplicate' };
  if (call.callerFlagged) return { assign: false, skip: 'caller_flagged' };
  return pickUnits(policy, recs, new Set(), primarySource, missedAck);
}

/**
 * After the automatically assigned unit did not acknowledge: the next units to try, excluding
 * every unit already tried on this incident. `attempts` = units assigned automatically so far.
 */
export function decideAfterNoAck(
  policy: AutoAssignPolicy,
  attempts: number,
  recs: readonly Recommendation[],
  tried: ReadonlySet<string>,
  primarySource: EtaSource,
  missedAck: ReadonlySet<string> = new Set(),
): AutoAssignDecision {
  if (attempts >= policy.maxAttempts) return { assign: false, skip: 'attempts_exhausted' };
  return pickUnits(policy, recs, tried, primarySource, missedAck);
}

/**
 * The best untried unit decides: it must be within `maxEtaSec` by the primary ETA source. Units
 * after it are kept as fallbacks for a 409 only when they meet the same bar.
 *
 * No "clearly best" margin over the second unit: when two units are about as near, either serves
 * the patient, and waiting for a human to choose costs more than the difference. The dispatcher
 * can still change the unit.
 */
function pickUnits(
  policy: AutoAssignPolicy,
  recs: readonly Recommendation[],
  tried: ReadonlySet<string>,
  primarySource: EtaSource,
  missedAck: ReadonlySet<string>,
): AutoAssignDecision {
  const untried = recs.filter((r) => !tried.has(r.vehicleId));
  // Units that recently missed an ack are passed over (the next best decides), not counted as tried.
  const open = untried.filter((r) => !missedAck.has(r.vehicleId));
  const best = open[0];
  if (!best) return { assign: false, skip: untried.length > 0 ? 'missed_ack' : 'no_unit' };
  if (best.etaSource !== primarySource) return { assign: false, skip: 'fallback_eta' };
  if (best.etaSec > policy.maxEtaSec) return { assign: false, skip: 'eta_too_long' };
  const candidates = open.filter((r) => r.etaSource === primarySource && r.etaSec <= policy.maxEtaSec).slice(0, MAX_TAKEN_RETRIES);
  return { assign: true, candidates };
}

/**
 * Reads the policy from the environment (AUTO_ASSIGN_PRIORITIES, AUTO_ASSIGN_MAX_ETA_SEC,
 * AUTO_ASSIGN_MAX_ATTEMPTS, AUTO_ASSIGN_ACK_COOLDOWN_SEC); each problem is pushed onto `errors` as a sentence naming the
 * variable and what to write instead.
 */
export function autoAssignPolicyFromEnv(env: Record<string, string | undefined>, errors: string[]): AutoAssignPolicy {
  const int = envIntReader(env, errors);
  const raw = env.AUTO_ASSIGN_PRIORITIES ?? '';
  const parts = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const bad = parts.some((p) => !/^[1-4]$/.test(p));
  if (bad) {
    errors.push(`AUTO_ASSIGN_PRIORITIES=${raw} must list priorities 1 to 4 separated by commas (e.g. AUTO_ASSIGN_PRIORITIES=1 or 1,2); leave it empty to turn auto-assign off`);
  }
  return {
    priorities: bad ? [] : [...new Set(parts.map(Number))].sort((a, b) => a - b),
    maxEtaSec: int('AUTO_ASSIGN_MAX_ETA_SEC', AUTO_ASSIGN_OFF.maxEtaSec, 30, 7200, 'seconds'),
    maxAttempts: int('AUTO_ASSIGN_MAX_ATTEMPTS', AUTO_ASSIGN_OFF.maxAttempts, 1, 10, 'units per incident'),
    ackCooldownSec: int('AUTO_ASSIGN_ACK_COOLDOWN_SEC', AUTO_ASSIGN_OFF.ackCooldownSec, 0, 86_400, 'seconds'),
  };
}
