import { useMemo } from 'react';
import type { Incident } from '@lifeline/protocol';
import { usePageText } from '../text.ts';
import { recommendationAudit } from './audit.ts';
import type { ReplayEvent } from './replayMath.ts';

/** Every assignment of the replayed incidents against the list the dispatcher was shown. */
export function AuditPanel({ incidents, eventsByIncident }: { incidents: Incident[]; eventsByIncident: Record<string, ReplayEvent[]> }) {
  const { p, time, duration } = usePageText();
  const rows = useMemo(
    () => incidents.flatMap((i) => recommendationAudit(eventsByIncident[i.id] ?? []).map((a) => ({ incident: i, a }))),
    [incidents, eventsByIncident],
  );
  return (
    <section className="audit" aria-labelledby="audit-title">
      <h3 id="audit-title">{p('replay.audit')}</h3>
      {rows.length === 0 ? <p className="muted">{p('replay.audit.none')}</p> : null}
      <ul>
        {rows.map(({ incident, a }, k) => (
          <li key={k} className={a.overrode ? 'overrode' : 'first'} data-vehicle-id={a.vehicleId} data-rank={a.rank ?? ''}>
            <div>
              <span className="muted">{time(a.ts)}</span> {incidents.length > 1 ? `#${incident.number} ` : ''}
              <strong>
                {a.rank === 1
                  ? p('replay.audit.first', { unit: a.vehicleId })
                  : a.rank === null
                    ? p('replay.audit.notListed', { unit: a.vehicleId })
                    : p('replay.audit.rank', { unit: a.vehicleId, rank: a.rank, n: a.shown.length })}
              </strong>
            </div>
            {a.overrode ? <div className="reason">{a.reason ? p('replay.audit.reason', { reason: a.reason }) : p('replay.audit.noReason')}</div> : null}
            {a.shown.length ? (
              <ol className="shown">
                {a.shown.map((u) => (
                  <li key={u.vehicleId} className={u.vehicleId === a.vehicleId ? 'chosen' : ''}>
                    {u.vehicleId}
                    {u.etaSec !== null ? ` · ${duration(u.etaSec)}` : ''}
                  </li>
                ))}
              </ol>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
