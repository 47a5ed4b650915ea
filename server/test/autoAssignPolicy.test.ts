import { describe, expect, it } from 'vitest';
import type { EtaSource, Recommendation } from '@lifeline/protocol';
import {
  autoAssignPolicyFromEnv,
  coversPriority,
  decideAfterNoAck,
  decideAtIntake,
  MAX_TAKEN_RETRIES,
  type AutoAssignPolicy,
  type IntakeFacts,
} from '../src/core/autoAssignPolicy.ts';

const POLICY: AutoAssignPolicy = { priorities: [1], maxEtaSec: 600, maxAttempts: 3, ackCooldownSec: 900 };
const CALL: IntakeFacts = { priority: 1, state: 'triaged', vehicleId: null, possibleDuplicates: 0, callerFlagged: false };

const rec = (vehicleId: string, etaSec: number, etaSource: EtaSource = 'road'): Recommendation => ({
  vehicleId,
  callSign: `115-${vehicleId}`,
  etaSec,
  distanceM: etaSec * 10,
  straightLineM: etaSec * 7,
  etaSource,
});

const ids = (d: ReturnType<typeof decideAtIntake>) => (d.assign ? d.candidates.map((c) => c.vehicleId) : d.skip);

describe('coversPriority', () => {
  it.each([
    [[1], 1, true],
    [[1], 2, false],
    [[1, 2], 2, true],
    [[], 1, false],
  ])('priorities %o, call P%d → %s', (priorities, p, covered) => {
    expect(coversPriority({ ...POLICY, priorities }, p)).toBe(covered);
  });
});

describe('decideAtIntake', () => {
  it.each<[string, Partial<IntakeFacts>, Recommendation[], string[] | string]>([
    ['assigns the best unit within the max ETA', {}, [rec('A', 240), rec('B', 300)], ['A', 'B']],
    ['exactly at the max ETA is within it', {}, [rec('A', 600)], ['A']],
    ['the best unit too far: nobody', {}, [rec('A', 601), rec('B', 700)], 'eta_too_long'],
    ['fallbacks for a 409 only within the max ETA', {}, [rec('A', 200), rec('B', 500), rec('C', 900)], ['A', 'B']],
    ['fallbacks for a 409 only by the primary source', {}, [rec('A', 200), rec('B', 250, 'straight_line'), rec('C', 300)], ['A', 'C']],
    ['at most MAX_TAKEN_RETRIES candidates', {}, [rec('A', 100), rec('B', 110), rec('C', 120), rec('D', 130), rec('E', 140)], ['A', 'B', 'C', 'D', 'E'].slice(0, MAX_TAKEN_RETRIES)],
    ['the best ETA is a fallback (router down): the ranking is a guess', {}, [rec('A', 100, 'straight_line'), rec('B', 200)], 'fallback_eta'],
    ['no recommendation', {}, [], 'no_unit'],
    ['a possible duplicate waits for the dispatcher', { possibleDuplicates: 1 }, [rec('A', 100)], 'possible_duplicate'],
    ['a flagged caller waits for the dispatcher', { callerFlagged: true }, [rec('A', 100)], 'caller_flagged'],
    ['already assigned', { state: 'assigned', vehicleId: 'X' }, [rec('A', 100)], 'not_open'],
    ['cancelled (merged as a duplicate)', { state: 'cancelled' }, [rec('A', 100)], 'not_open'],
  ])('%s', (_name, call, recs, expected) => {
    expect(ids(decideAtIntake(POLICY, { ...CALL, ...call }, recs, 'road'))).toEqual(expected);
  });

  it.each<[string, Recommendation[], string[], string[] | string]>([
    ['a unit that recently missed an ack is passed over: the next best decides', [rec('A', 100), rec('B', 200)], ['A'], ['B']],
    ['…and is no fallback for a 409 either', [rec('A', 100), rec('B', 200), rec('C', 300)], ['B'], ['A', 'C']],
    ['every eligible unit recently missed an ack', [rec('A', 100), rec('B', 200)], ['A', 'B'], 'missed_ack'],
    ['the next best beyond the max ETA once the missed one is passed over', [rec('A', 100), rec('B', 700)], ['A'], 'eta_too_long'],
  ])('%s', (_name, recs, missed, expected) => {
    expect(ids(decideAtIntake(POLICY, CALL, recs, 'road', new Set(missed)))).toEqual(expected);
  });

  it('straight line is no fallback when it is the only source', () => {
    expect(ids(decideAtIntake(POLICY, CALL, [rec('A', 100, 'straight_line')], 'straight_line'))).toEqual(['A']);
  });
});

describe('decideAfterNoAck', () => {
  it.each<[string, number, string[], Recommendation[], string[] | string]>([
    ['the next best untried unit', 1, ['A'], [rec('A', 100), rec('B', 200), rec('C', 300)], ['B', 'C']],
    ['skips every unit already tried', 2, ['A', 'B'], [rec('B', 150), rec('A', 100), rec('C', 300)], ['C']],
    ['stops after maxAttempts units', 3, ['A', 'B', 'C'], [rec('D', 100)], 'attempts_exhausted'],
    ['nobody left', 1, ['A'], [rec('A', 100)], 'no_unit'],
    ['the next unit too far', 1, ['A'], [rec('A', 100), rec('B', 900)], 'eta_too_long'],
  ])('%s', (_name, attempts, tried, recs, expected) => {
    expect(ids(decideAfterNoAck(POLICY, attempts, recs, new Set(tried), 'road'))).toEqual(expected);
  });

  it('passes over untried units that recently missed an ack elsewhere', () => {
    const recs = [rec('A', 100), rec('B', 150), rec('C', 300)];
    expect(ids(decideAfterNoAck(POLICY, 1, recs, new Set(['A']), 'road', new Set(['A', 'B'])))).toEqual(['C']);
    expect(ids(decideAfterNoAck(POLICY, 1, recs.slice(0, 2), new Set(['A']), 'road', new Set(['A', 'B'])))).toEqual('missed_ack');
  });
});

describe('autoAssignPolicyFromEnv', () => {
  it.each<[Record<string, string>, Partial<AutoAssignPolicy>]>([
    [{}, { priorities: [], maxEtaSec: 900, maxAttempts: 3, ackCooldownSec: 900 }],
    [{ AUTO_ASSIGN_PRIORITIES: '' }, { priorities: [] }],
    [{ AUTO_ASSIGN_PRIORITIES: '1' }, { priorities: [1] }],
    [{ AUTO_ASSIGN_PRIORITIES: ' 2, 1 ,1' }, { priorities: [1, 2] }],
    [{ AUTO_ASSIGN_PRIORITIES: '1', AUTO_ASSIGN_MAX_ETA_SEC: '480', AUTO_ASSIGN_MAX_ATTEMPTS: '2' }, { priorities: [1], maxEtaSec: 480, maxAttempts: 2 }],
    [{ AUTO_ASSIGN_ACK_COOLDOWN_SEC: '0' }, { ackCooldownSec: 0 }],
  ])('%o', (env, expected) => {
    const errors: string[] = [];
    expect(autoAssignPolicyFromEnv(env, errors)).toMatchObject(expected);
    expect(errors).toEqual([]);
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ AUTO_ASSIGN_PRIORITIES: '1,5' }, /AUTO_ASSIGN_PRIORITIES=1,5 must list priorities 1 to 4/],
    [{ AUTO_ASSIGN_PRIORITIES: 'P1' }, /AUTO_ASSIGN_PRIORITIES=P1 must list priorities 1 to 4/],
    [{ AUTO_ASSIGN_MAX_ETA_SEC: '10' }, /AUTO_ASSIGN_MAX_ETA_SEC=10 is not an integer between 30 and 7200/],
    [{ AUTO_ASSIGN_MAX_ETA_SEC: '5m' }, /AUTO_ASSIGN_MAX_ETA_SEC=5m/],
    [{ AUTO_ASSIGN_MAX_ATTEMPTS: '0' }, /AUTO_ASSIGN_MAX_ATTEMPTS=0 is not an integer between 1 and 10/],
  ])('refuses %o', (env, message) => {
    const errors: string[] = [];
    const policy = autoAssignPolicyFromEnv(env, errors);
    expect(errors.join('\n')).toMatch(message);
    // A refused list never turns auto-assign on by accident.
    if (env.AUTO_ASSIGN_PRIORITIES) expect(policy.priorities).toEqual([]);
  });
});
