import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { categoryKey } from '../../i18n/dict.ts';
import { intlLocale } from '../../i18n/format.ts';
import { q, request } from '../../api.ts';
import { usePageText, type PageI18n } from '../text.ts';
import { GROUP_BYS, INTERVAL_NAMES, type GroupBy, type KpiGroup, type KpiResult } from '../types.ts';
import { toLocalInput } from '../time.ts';
import { IntervalChart } from './IntervalChart.tsx';
import { verdict } from './kpiScale.ts';

const DAY_MS = 86_400_000;

function startOfToday(): number {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** A group's name for people: "115", "Tim mạch", "P1", a date. */
export function groupLabel(g: KpiGroup, groupBy: readonly GroupBy[], x: PageI18n): string {
  if (groupBy.length === 0) return x.p('kpi.overall');
  return groupBy
    .map((k) => {
      const v = g.key[k];
      if (k === 'category') return x.t(categoryKey(String(v) as never));
      if (k === 'priority') return `P${v}`;
      if (k === 'day') return new Intl.DateTimeFormat(intlLocale(x.locale), { weekday: 'short', day: '2-digit', month: '2-digit' }).format(new Date(`${v}T12:00:00`));
      return String(v);
    })
    .join(' · ');
}

/**
 * KPIs for a supervisor: the whole period at a glance (P90 against target per interval), one chart
 * per interval across the chosen grouping, the table, and the same query as CSV.
 */
export function KpiPage() {
  const x = usePageText();
  const { p, count, percent, duration } = x;
  const [from, setFrom] = useState(() => toLocalInput(startOfToday() - 6 * DAY_MS));
  const [to, setTo] = useState(() => toLocalInput(startOfToday() + DAY_MS));
  const [groupBy, setGroupBy] = useState<GroupBy>('line');
  const [data, setData] = useState<{ grouped: KpiResult; overall: KpiGroup | null; query: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(async (fromLocal: string, toLocal: string, by: GroupBy) => {
    const fromMs = Date.parse(fromLocal);
    const toMs = Date.parse(toLocal);
    if (!(toMs > fromMs)) return;
    const base = { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
    setLoading(true);
    const [g, o] = await Promise.all([request<KpiResult>('GET', `/api/kpis?${q({ ...base, groupBy: by })}`), request<KpiResult>('GET', `/api/kpis?${q(base)}`)]);
    setLoading(false);
    if (!g.ok) return setError(g.message);
    if (!o.ok) return setError(o.message);
    setError(null);
    setData({ grouped: g.value, overall: o.value.groups[0] ?? null, query: q({ ...base, groupBy: by }) });
  }, []);

  useEffect(() => {
    void load(from, to, groupBy);
    // first load only; later loads are asked for
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void load(from, to, groupBy);
  };
  const preset = (days: number) => {
    const f = toLocalInput(startOfToday() - (days - 1) * DAY_MS);
    const t = toLocalInput(startOfToday() + DAY_MS);
    setFrom(f);
    setTo(t);
    void load(f, t, groupBy);
  };

  const o = data?.overall ?? null;
  const groups = data?.grouped.groups ?? [];
  const by = data?.grouped.groupBy ?? [];
  return (
    <div className="kpi-page">
      <form className="kpi-query" onSubmit={submit}>
        <h2>{p('kpi.title')}</h2>
        <label>
          {p('kpi.from')} <input type="datetime-local" name="from" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {p('kpi.to')} <input type="datetime-local" name="to" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          {p('kpi.groupBy')}{' '}
          <select name="groupBy" value={groupBy} onChange={(e) => setGroupBy(e.target.value as GroupBy)}>
            {GROUP_BYS.map((g) => (
              <option key={g} value={g}>
                {p(`kpi.group.${g}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={loading}>
          {p('kpi.show')}
        </button>
        <span className="presets">
          <button type="button" onClick={() => preset(1)}>
            {p('kpi.range.today')}
          </button>
          <button type="button" onClick={() => preset(7)}>
            {p('kpi.range.7d')}
          </button>
          <button type="button" onClick={() => preset(30)}>
            {p('kpi.range.30d')}
          </button>
        </span>
        {data ? (
          <a className="csv button" href={`/api/kpis.csv?${data.query}`} download="lifeline-kpis.csv">
            ⤓ {p('kpi.csv')}
          </a>
        ) : null}
      </form>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {!data ? <p className="muted pad">{p('common.loading')}</p> : null}
      {data && !o ? <p className="empty big pad">{p('kpi.empty')}</p> : null}
      {o ? (
        <>
          <section className="kpi-cards" aria-label={p('kpi.overall')}>
            <div className="card counts">
              <span className="big-number">{count(o.calls)}</span>
              <span>{p('kpi.calls')}</span>
              <span className="muted">
                {p('kpi.completed')} {o.completed === null ? '—' : percent(o.completed)} · {p('kpi.cancelled')} {count(o.cancelled)}
                {o.merged ? ` · ${p('kpi.merged')} ${count(o.merged)}` : ''}
                {o.waiting ? <strong className="waiting" data-waiting={o.waiting}> · {p('kpi.waiting')} {count(o.waiting)}</strong> : null}
              </span>
            </div>
            {INTERVAL_NAMES.map((name) => {
              const s = o.intervals[name];
              const v = verdict(s.p90Sec, s.targetSec);
              return (
                <div key={name} className={`card v-${v}`} data-interval={name} data-verdict={v}>
                  <span className="card-title">{p(`kpi.interval.${name}`)}</span>
                  <span className="big-number">{s.p90Sec === null ? '—' : duration(s.p90Sec)}</span>
                  <span>
                    {p('kpi.p90')} · {p('kpi.target')} {duration(s.targetSec)} · <strong>{p(`kpi.verdict.${v}`)}</strong>
                  </span>
                  <span className="muted">{s.withinTarget === null ? p('kpi.noData') : p('kpi.withinTarget', { pct: percent(s.withinTarget) })}</span>
                </div>
              );
            })}
          </section>
          <p className="muted legend-line">{p('kpi.legend')}</p>
          <section className="kpi-charts">
            {INTERVAL_NAMES.map((name) => (
              <IntervalChart key={name} name={name} groups={groups} label={(g) => groupLabel(g, by, x)} />
            ))}
          </section>
          <KpiTable groups={groups} groupBy={by} />
        </>
      ) : null}
    </div>
  );
}

function KpiTable({ groups, groupBy }: { groups: KpiGroup[]; groupBy: GroupBy[] }) {
  const x = usePageText();
  const { p, count, percent, duration } = x;
  const d = (v: number | null) => (v === null ? '—' : duration(v));
  return (
    <section className="kpi-table-wrap" aria-labelledby="kpi-table-title">
      <h3 id="kpi-table-title">{p('kpi.table')}</h3>
      <table className="kpi-table">
        <thead>
          <tr>
            <th rowSpan={2}>{p('kpi.group')}</th>
            <th rowSpan={2}>{p('kpi.calls')}</th>
            <th rowSpan={2}>{p('kpi.cancelled')}</th>
            <th rowSpan={2}>{p('kpi.completed')}</th>
            {INTERVAL_NAMES.map((n) => (
              <th key={n} colSpan={4} className="int">
                {p(`kpi.interval.${n}`)}
              </th>
            ))}
          </tr>
          <tr>
            {INTERVAL_NAMES.map((n) => [
              <th key={`${n}n`} className="int">{p('kpi.n')}</th>,
              <th key={`${n}m`}>{p('kpi.median')}</th>,
              <th key={`${n}p`}>{p('kpi.p90')}</th>,
              <th key={`${n}w`}>{p('kpi.within')}</th>,
            ])}
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={JSON.stringify(g.key)} data-group={JSON.stringify(g.key)}>
              <th scope="row">{groupLabel(g, groupBy, x)}</th>
              <td>{count(g.calls)}</td>
              <td>{count(g.cancelled)}</td>
              <td>{g.completed === null ? '—' : percent(g.completed)}</td>
              {INTERVAL_NAMES.map((n) => {
                const s = g.intervals[n];
                const v = verdict(s.p90Sec, s.targetSec);
                return [
                  <td key={`${n}n`} className="int">{count(s.n)}</td>,
                  <td key={`${n}m`}>{d(s.medianSec)}</td>,
                  <td key={`${n}p`} className={`v-${v}`}>{d(s.p90Sec)}</td>,
                  <td key={`${n}w`}>{s.withinTarget === null ? '—' : percent(s.withinTarget)}</td>,
                ];
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
