import { usePageText } from '../text.ts';
import type { IntervalName, KpiGroup } from '../types.ts';
import { barPx, durationAxis, verdict } from './kpiScale.ts';

const ROW = 26;
const LABEL_W = 130;
const BAR_W = 260;
const VALUE_W = 120;
const TOP = 18;

/**
 * One interval across the groups, in plain SVG: the bar is the 90th percentile (green at or under
 * the target, amber up to 25 % over, red beyond), the black tick the median, the dashed red line
 * the target; on the right, P90 and the share within target.
 */
export function IntervalChart({ name, groups, label }: { name: IntervalName; groups: KpiGroup[]; label(g: KpiGroup): string }) {
  const { p, duration, percent } = usePageText();
  const stats = groups.map((g) => g.intervals[name]);
  const target = stats[0]?.targetSec ?? 0;
  const axis = durationAxis([...stats.map((s) => s.p90Sec), target]);
  const h = TOP + groups.length * ROW + 4;
  const w = LABEL_W + BAR_W + VALUE_W;
  const tx = LABEL_W + barPx(target, axis.max, BAR_W);
  return (
    <figure className="chart" data-interval={name}>
      <figcaption>
        {p(`kpi.interval.${name}`)} <span className="muted">· {p('kpi.target')} {duration(target)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} width="100%" role="img" aria-label={p(`kpi.interval.${name}`)}>
        {axis.ticks.map((v) => {
          const x = LABEL_W + barPx(v, axis.max, BAR_W);
          return (
            <g key={v}>
              <line x1={x} x2={x} y1={TOP - 4} y2={h} stroke="#e3e7ec" />
              <text x={x} y={11} textAnchor="middle" className="axis">
                {duration(v)}
              </text>
            </g>
          );
        })}
        {groups.map((g, i) => {
          const s = g.intervals[name];
          const y = TOP + i * ROW;
          const v = verdict(s.p90Sec, s.targetSec);
          return (
            <g key={JSON.stringify(g.key)} className={`bar v-${v}`} data-group={JSON.stringify(g.key)} data-p90={s.p90Sec ?? ''}>
              <text x={LABEL_W - 8} y={y + ROW / 2 + 4} textAnchor="end" className="label">
                {label(g)}
              </text>
              <rect x={LABEL_W} y={y + 5} width={barPx(s.p90Sec, axis.max, BAR_W)} height={ROW - 10} rx={2} className="p90" />
              {s.medianSec !== null ? <line x1={LABEL_W + barPx(s.medianSec, axis.max, BAR_W)} x2={LABEL_W + barPx(s.medianSec, axis.max, BAR_W)} y1={y + 3} y2={y + ROW - 3} className="median" /> : null}
              <text x={LABEL_W + BAR_W + 8} y={y + ROW / 2 + 4} className="value">
                {s.p90Sec === null ? p('kpi.noData') : `${duration(s.p90Sec)} · ${s.withinTarget === null ? '—' : percent(s.withinTarget)}`}
              </text>
            </g>
          );
        })}
        <line x1={tx} x2={tx} y1={TOP - 4} y2={h} className="target" />
      </svg>
    </figure>
  );
}
