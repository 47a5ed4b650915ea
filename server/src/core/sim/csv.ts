import type { PolicyReport } from './results.ts';

/** The comparison table as CSV: one row per policy, estimates with their 95 % half-widths. */
export function comparisonToCsv(policies: readonly PolicyReport[]): string {
  const priorities = [...new Set(policies.flatMap((p) => Object.keys(p.withinTarget)))].sort();
  const header = [
    'policy', 'replications', 'calls', 'mean_response_s', 'mean_response_ci95_s', 'median_response_s', 'p90_response_s',
    'late_fraction', 'late_fraction_ci95', 'late_relative_to_baseline', 'late_relative_ci95', 'p_wait', 'out_of_area_fraction',
    ...priorities.flatMap((p) => [`within_target_p${p}`, `within_target_p${p}_ci95`]), 'mean_workload',
  ];
  const f = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '' : String(Number(x.toPrecision(6))));
  const rows = policies.map((p) =>
    [
      p.policy, p.replications, p.calls, f(p.meanResponseSec.mean), f(p.meanResponseSec.ci95), f(p.medianResponseSec.mean), f(p.p90ResponseSec.mean),
      f(p.lateFraction.mean), f(p.lateFraction.ci95), f(p.lateRelativeToBaseline?.mean), f(p.lateRelativeToBaseline?.ci95), f(p.pWait.mean), f(p.outOfAreaFraction?.mean),
      ...priorities.flatMap((k) => {
        const e = p.withinTarget[Number(k) as 1];
        return [f(e?.mean), f(e?.ci95)];
      }),
      f(p.workloads.reduce((s, w) => s + w.mean, 0) / (p.workloads.length || 1)),
    ].join(','),
  );
  return [header.join(','), ...rows].join('\n') + '\n';
}
