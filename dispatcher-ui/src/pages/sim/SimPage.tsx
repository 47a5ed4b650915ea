import { useEffect, useRef, useState, type FormEvent } from 'react';
import { SIM_POLICIES, type SimEstimate, type SimPolicyReport, type SimRun, type SimRunBody } from '@lifeline/protocol';
import { request } from '../../api.ts';
import { usePageText } from '../text.ts';
import { toLocalInput } from '../time.ts';

type Policy = (typeof SIM_POLICIES)[number];
type Estimate = SimEstimate;

const DAY_MS = 86_400_000;

/**
 * Supervisors test dispatch policies on their own calls: replay a window (or a synthetic load)
 * under closest-idle, coverage-aware dispatch and move-up, read which serves more patients
 * within target and at what cost. The run happens on the server, in its own process.
 */
export function SimPage() {
  const { p, percent, duration, count } = usePageText();
  const [source, setSource] = useState<'window' | 'synthetic'>('window');
  const [from, setFrom] = useState(() => toLocalInput(Date.now() - DAY_MS));
  const [to, setTo] = useState(() => toLocalInput(Date.now()));
  const [days, setDays] = useState(7);
  const [callsPerHour, setCallsPerHour] = useState(5);
  const [policies, setPolicies] = useState<Policy[]>(['closest-idle', 'coverage-aware+move-up']);
  const [replications, setReplications] = useState(5);
  // Empty: the fleet as it is (vehicles with a home station); a number plans that many per station.
  const [perStation, setPerStation] = useState('');
  const [run, setRun] = useState<SimRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  const timer = useRef<number | null>(null);

  useEffect(() => () => void (timer.current !== null && clearTimeout(timer.current)), []);

  const poll = (id: string) => {
    timer.current = window.setTimeout(async () => {
      const r = await request<SimRun>('GET', `/api/sim/runs/${id}`);
      if (!r.ok) return setError(r.message);
      setRun(r.value);
      if (r.value.state === 'running') poll(id);
    }, 400);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const fleet = perStation ? { unitsPerStation: Number(perStation) } : {};
    const body: SimRunBody =
      source === 'window'
        ? { source, from: new Date(Date.parse(from)).toISOString(), to: new Date(Date.parse(to)).toISOString(), policies, replications, ...fleet }
        : { source, days, callsPerHour, policies, replications, ...fleet };
    setError(null);
    const r = await request<SimRun>('POST', '/api/sim/runs', body);
    if (!r.ok) return setError(r.message);
    setRun(r.value);
    poll(r.value.id);
  };
  const toggle = (x: Policy) => setPolicies((ps) => (ps.includes(x) ? ps.filter((y) => y !== x) : SIM_POLICIES.filter((y) => y === x || ps.includes(y))));

  const reports = run?.state === 'done' ? ((run.result as { policies: SimPolicyReport[] }).policies ?? []) : [];
  const priorities = [...new Set(reports.flatMap((r) => Object.keys(r.withinTarget)))].sort();
  const est = (e: Estimate | null | undefined, f: (v: number) => string) => (e && Number.isFinite(e.mean) ? `${f(e.mean)}${Number.isFinite(e.ci95) ? ` ± ${f(e.ci95)}` : ''}` : '—');
  const signed = (v: number) => `${v > 0 ? '+' : ''}${percent(v)}`;
  const running = run?.state === 'running';
  return (
    <div className="sim-page">
      <form className="kpi-query sim-query" onSubmit={submit}>
        <h2>{p('sim.title')}</h2>
        <label>
          {p('sim.source')}{' '}
          <select name="source" value={source} onChange={(e) => setSource(e.target.value as 'window' | 'synthetic')}>
            <option value="window">{p('sim.source.window')}</option>
            <option value="synthetic">{p('sim.source.synthetic')}</option>
          </select>
        </label>
        {source === 'window' ? (
          <>
            <label>
              {p('kpi.from')} <input type="datetime-local" name="from" value={from} onChange={(e) => setFrom(e.target.value)} />
            </label>
            <label>
              {p('kpi.to')} <input type="datetime-local" name="to" value={to} onChange={(e) => setTo(e.target.value)} />
            </label>
          </>
        ) : (
          <>
            <label>
              {p('sim.days')} <input type="number" name="days" min={1} max={28} value={days} onChange={(e) => setDays(Number(e.target.value))} />
            </label>
            <label>
              {p('sim.callsPerHour')} <input type="number" name="callsPerHour" min={0.1} max={500} step={0.1} value={callsPerHour} onChange={(e) => setCallsPerHour(Number(e.target.value))} />
            </label>
          </>
        )}
        <label>
          {p('sim.replications')} <input type="number" name="replications" min={1} max={20} value={replications} onChange={(e) => setReplications(Number(e.target.value))} />
        </label>
        <label>
          {p('sim.perStation')} <input type="number" name="unitsPerStation" min={1} max={20} placeholder={p('sim.perStation.fleet')} value={perStation} onChange={(e) => setPerStation(e.target.value)} />
        </label>
        <fieldset className="sim-policies">
          <legend>{p('sim.policies')}</legend>
          {SIM_POLICIES.map((x) => (
            <label key={x}>
              <input type="checkbox" name="policy" value={x} checked={policies.includes(x)} onChange={() => toggle(x)} /> {p(`sim.policy.${x}`)}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary" disabled={running || policies.length === 0}>
          {p('sim.run')}
        </button>
        {run?.state === 'done' ? (
          <a className="csv button" href={`/api/sim/runs/${run.id}/results.csv`} download="lifeline-simulation.csv">
            ⤓ {p('kpi.csv')}
          </a>
        ) : null}
      </form>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {run ? (
        <p className="sim-progress">
          <progress max={run.progress.total} value={run.progress.done} /> {p(`sim.state.${run.state}`)} · {count(run.progress.done)}/{count(run.progress.total)}
          {run.error ? ` · ${run.error}` : ''}
        </p>
      ) : (
        <p className="muted pad">{p('sim.help')}</p>
      )}
      {reports.length ? (
        <section className="kpi-table-wrap">
          <table className="kpi-table sim-table">
            <thead>
              <tr>
                <th>{p('sim.col.policy')}</th>
                <th>{p('kpi.calls')}</th>
                <th>{p('sim.col.late')}</th>
                <th>{p('sim.col.lateVsClosest')}</th>
                {priorities.map((k) => (
                  <th key={k}>{p('sim.col.within', { priority: `P${k}` })}</th>
                ))}
                <th>{p('kpi.mean')}</th>
                <th>{p('kpi.median')}</th>
                <th>{p('kpi.p90')}</th>
                <th>{p('sim.col.wait')}</th>
                <th>{p('sim.col.workload')}</th>
              </tr>
            </thead>
            <tbody>
              {reports.map((r) => (
                <tr key={r.policy} data-policy={r.policy}>
                  <th scope="row">{p(`sim.policy.${r.policy as Policy}`)}</th>
                  <td>{count(r.calls)}</td>
                  <td className="late">{est(r.lateFraction, percent)}</td>
                  <td>{r.lateRelativeToBaseline ? est(r.lateRelativeToBaseline, signed) : '—'}</td>
                  {priorities.map((k) => (
                    <td key={k}>{est(r.withinTarget[Number(k) as 1], percent)}</td>
                  ))}
                  <td className="mean">{est(r.meanResponseSec, duration)}</td>
                  <td>{duration(r.medianResponseSec.mean)}</td>
                  <td>{duration(r.p90ResponseSec.mean)}</td>
                  <td>{percent(r.pWait.mean)}</td>
                  <td>{percent(r.workloads.reduce((s, w) => s + w.mean, 0) / Math.max(1, r.workloads.length))}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted legend-line">{p('sim.legend')}</p>
        </section>
      ) : null}
    </div>
  );
}
