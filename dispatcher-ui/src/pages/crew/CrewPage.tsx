import { useEffect, useState } from 'react';
import type { Incident, User } from '@lifeline/protocol';
import { categoryKey, priorityKey, stateKey } from '../../i18n/dict.ts';
import type { LiveSocket } from '../../realtime/socket.ts';
import { request } from '../../api.ts';
import { PageBar } from '../PageBar.tsx';
import { usePageText } from '../text.ts';

/**
 * A crew member who logs in from a browser: the cab's crew panel is where they work; this page
 * shows their unit's current job (GET /api/crew/assignment), refreshed when the server says the
 * incident changed (the socket sends a crew its own unit's `incident` events).
 */
export function CrewPage({ user, socket, onLogout }: { user: User; socket: LiveSocket; onLogout(): void }) {
  const { p, t, time } = usePageText();
  const [incident, setIncident] = useState<Incident | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    const load = () =>
      void request<{ incident: Incident | null }>('GET', '/api/crew/assignment').then((r) => {
        if (!alive) return;
        if (r.ok) {
          setIncident(r.value.incident);
          setError(null);
        } else setError(r.message);
      });
    socket.on('incident', load);
    socket.on('connect', load);
    load();
    return () => {
      alive = false;
      socket.off('incident', load);
      socket.off('connect', load);
    };
  }, [socket]);

  const unit = user.vehicleId ?? '—';
  return (
    <div className="page crew-page">
      <PageBar title={p('crew.title', { unit })} user={user} onLogout={onLogout} />
      <main className="crew-body">
        <p className="crew-note big">{p('crew.usePanel')}</p>
        <section className="panel crew-job" aria-labelledby="crew-job-title">
          <h2 id="crew-job-title">{p('crew.current')}</h2>
          {error ? <p className="error">{p('common.failed', { message: error })}</p> : null}
          {incident === undefined ? <p className="muted">{p('common.loading')}</p> : null}
          {incident === null ? <p className="empty big">{p('crew.none')}</p> : null}
          {incident ? (
            <dl className="facts" data-incident-id={incident.id}>
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
              <dt>{p('crew.location')}</dt>
              <dd>
                {incident.location.lat.toFixed(5)}, {incident.location.lng.toFixed(5)}
              </dd>
              <dt>{p('crew.notes')}</dt>
              <dd>{incident.notes ?? p('common.none')}</dd>
            </dl>
          ) : null}
        </section>
      </main>
    </div>
  );
}
