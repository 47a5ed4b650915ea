import { useCallback, useEffect, useState } from 'react';
import type { HospitalSummary, Incident, UnitStatus, User } from '@lifeline/protocol';
import { categoryKey, priorityKey, stateKey, statusKey } from '../../i18n/dict.ts';
import type { LiveSocket } from '../../realtime/socket.ts';
import { request } from '../../api.ts';
import { PageBar } from '../PageBar.tsx';
import { usePageText } from '../text.ts';
import { geoHref, nextStatuses, telHref } from './crewActions.ts';

interface CrewJob {
  incident: Incident | null;
  hospital: HospitalSummary | null;
}

/**
 * The crew's own job, for a crew with only a phone (OwnTracks as its tracker) as much as for one
 * with a cab panel: acknowledge, report status (POST /api/crew/ack, /api/crew/status), call the
 * caller, navigate to the scene and to the destination hospital. Re-read when the server says the
 * incident changed (the socket sends a crew its own unit's `incident` events).
 */
export function CrewPage({ user, socket, onLogout }: { user: User; socket: LiveSocket; onLogout(): void }) {
  const { p, t, time } = usePageText();
  const [job, setJob] = useState<CrewJob | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    () =>
      void request<CrewJob>('GET', '/api/crew/assignment').then((r) => {
        if (r.ok) {
          setJob(r.value);
          setError(null);
        } else setError(r.message);
      }),
    [],
  );
  useEffect(() => {
    socket.on('incident', load);
    socket.on('connect', load);
    load();
    return () => {
      socket.off('incident', load);
      socket.off('connect', load);
    };
  }, [socket, load]);

  const send = async (path: string, body: unknown) => {
    setBusy(true);
    const r = await request<null>('POST', path, body);
    setBusy(false);
    if (!r.ok) setError(r.message);
    load();
  };

  const incident = job?.incident ?? null;
  const needsAck = incident?.state === 'assigned';
  const unit = user.vehicleId ?? '—';
  return (
    <div className="page crew-page">
      <PageBar title={p('crew.title', { unit })} user={user} onLogout={onLogout} />
      <main className="crew-body">
        <section className="panel crew-job" aria-labelledby="crew-job-title">
          <h2 id="crew-job-title">{p('crew.current')}</h2>
          {error ? <p className="error" role="alert">{p('common.failed', { message: error })}</p> : null}
          {job === undefined ? <p className="muted">{p('common.loading')}</p> : null}
          {job && !incident ? <p className="empty big">{p('crew.none')}</p> : null}
          {incident ? (
            <>
              {needsAck && incident.assignmentId ? (
                <button type="button" className="primary crew-ack" data-action="ack" disabled={busy} onClick={() => void send('/api/crew/ack', { assignmentId: incident.assignmentId })}>
                  {p('crew.ack')}
                </button>
              ) : null}
              <dl className="facts" data-incident-id={incident.id} data-state={incident.state}>
                <dt>{p('replay.incident')}</dt>
                <dd className="big">
                  <strong>#{incident.number}</strong> <span className={`prio p${incident.priority}`}>P{incident.priority}</span> {t(categoryKey(incident.category))} · {t(priorityKey(incident.priority))}
                </dd>
                <dt>{p('crew.state')}</dt>
                <dd>
                  {t(stateKey(incident.state))} · {time(incident.updatedAt)}
                </dd>
                <dt>{p('crew.address')}</dt>
                <dd>{incident.address ?? p('common.none')}</dd>
                <dt>{p('crew.notes')}</dt>
                <dd>{incident.notes ?? p('common.none')}</dd>
                <dt>{p('crew.hospital')}</dt>
                <dd data-destination={job?.hospital?.id ?? ''}>{job?.hospital?.name ?? p('common.none')}</dd>
              </dl>
              <div className="crew-links">
                <a className="button" data-action="call" href={telHref(incident.callerPhone)}>
                  {p('crew.call', { phone: incident.callerPhone })}
                </a>
                <a className="button" data-action="navigate-scene" href={geoHref(incident.location, incident.address ?? undefined)}>
                  {p('crew.navigateScene')}
                </a>
                {job?.hospital ? (
                  <a className="button" data-action="navigate-hospital" href={geoHref(job.hospital.location, job.hospital.name)}>
                    {p('crew.navigateHospital')}
                  </a>
                ) : null}
              </div>
            </>
          ) : null}
          {job ? <StatusButtons statuses={needsAck ? [] : nextStatuses(incident?.state ?? null)} busy={busy} onStatus={(s) => void send('/api/crew/status', { status: s })} /> : null}
        </section>
      </main>
    </div>
  );
}

function StatusButtons({ statuses, busy, onStatus }: { statuses: UnitStatus[]; busy: boolean; onStatus(s: UnitStatus): void }) {
  const { p, t } = usePageText();
  if (statuses.length === 0) return null;
  return (
    <div className="crew-status" role="group" aria-label={p('crew.report')}>
      {statuses.map((s, i) => (
        <button key={s} type="button" className={i === 0 ? 'primary' : undefined} data-status={s} disabled={busy} onClick={() => onStatus(s)}>
          {t(statusKey(s))}
        </button>
      ))}
    </div>
  );
}
