import { Type, type Static } from '@sinclair/typebox';

/** The simulator's policy presets (server/src/core/sim/policies.ts). */
export const SIM_POLICIES = ['closest-idle', 'coverage-aware', 'move-up', 'coverage-aware+move-up'] as const;
export const SimPolicySchema = Type.Union(SIM_POLICIES.map((p) => Type.Literal(p)));

/** POST /api/sim/runs: replay a window of the centre's calls, or a synthetic load, under policies. */
export const SimRunBodySchema = Type.Object(
  {
    source: Type.Union([Type.Literal('window'), Type.Literal('synthetic')]),
    /** Window to replay (source = window), ISO 8601 with offset; at most 31 days. */
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    /** Synthetic load: length and rate; locations follow the last 28 days of calls. */
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 28 })),
    callsPerHour: Type.Optional(Type.Number({ minimum: 0.1, maximum: 500 })),
    policies: Type.Array(SimPolicySchema, { minItems: 1, maxItems: 4, uniqueItems: true }),
    replications: Type.Integer({ minimum: 1, maximum: 20 }),
    /** Units per station (the fleet's own when absent). */
    unitsPerStation: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
    /** Response target (received → on scene) for every priority, minutes; the KPI default when absent. */
    targetMin: Type.Optional(Type.Number({ minimum: 1, maximum: 120 })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  },
  { additionalProperties: false },
);
export type SimRunBody = Static<typeof SimRunBodySchema>;

export const SimRunStateSchema = Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]);

/** GET /api/sim/runs/:id. `result` is the core's Comparison (per-policy estimates with 95 % CIs). */
export const SimRunSchema = Type.Object({
  id: Type.String(),
  state: SimRunStateSchema,
  progress: Type.Object({ done: Type.Integer(), total: Type.Integer() }),
  calls: Type.Integer(),
  error: Type.Optional(Type.String()),
  result: Type.Optional(Type.Any()),
});
export type SimRun = Static<typeof SimRunSchema>;

/** A mean over replications with its 95 % confidence half-width (NaN with one replication). */
export interface SimEstimate {
  mean: number;
  ci95: number;
  n: number;
}

/** One policy's figures in a simulation result (times in seconds, shares 0–1). */
export interface SimPolicyReport {
  policy: string;
  replications: number;
  calls: number;
  meanResponseSec: SimEstimate;
  medianResponseSec: SimEstimate;
  p90ResponseSec: SimEstimate;
  lateFraction: SimEstimate;
  /** (late − baseline late) / baseline late, paired by replication; null for the baseline itself. */
  lateRelativeToBaseline: SimEstimate | null;
  /** Share within target by priority ("1" … "4"). */
  withinTarget: Partial<Record<1 | 2 | 3 | 4, SimEstimate>>;
  pWait: SimEstimate;
  outOfAreaFraction: SimEstimate | null;
  workloads: SimEstimate[];
}
