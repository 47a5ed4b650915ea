import { useCallback, useEffect, useRef, useState } from 'react';
import type { Hospital, HospitalCase, HospitalCasesEvent, User } from '@lifeline/protocol';
import { categoryKey, priorityKey, stateKey } from '../../i18n/dict.ts';
import type { LiveSocket } from '../../realtime/socket.ts';
import { request } from '../../api.ts';
import { PageBar } from '../PageBar.tsx';
import { usePageText } from '../text.ts';
import { EdStatusForm } from './EdStatusForm.tsx';
import { afterList, markSeen, unseen, type SeenCases } from './newCases.ts';
import { useChime } from '../../features/useChime.ts';

/** States in which the patient has left the scene: arrival and handover can be recorded. */
const AT_OR_TO_HOSPITAL = new Set(['transporting', 'at_hospital']);

interface Recorded {
  arrivalAt?: number;
  handoverAt?: number;
}

/**
 * Hospital staff's wall screen: every case heading to their hospital with the unit's live ETA
 * (socket `hospitalCases`, pushed on connect, on change and every few seconds; REST as the first
 * snapshot), arrival and handover buttons, and the ED status form.
 */
export function HospitalPage({ user, socket, onLogout }: { user: User; socket: LiveSocket; onLogout(): void }) {
  const { p, t, time, duration, count } = usePageText();
  const [hospital, setHospital] = useState<Hospital | null>(null);
  const [cases, setCases] = useState<HospitalCase[] | null>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [live, setLive] = useState(socket.connected);
  const [error, setError] = useState<string | null>(null);
  const [recorded, setRecorded] = useState<Record<string, Recorded>>({});
  const [busy, setBusy] = useState<string | null>(null);
  /** A socket push is newer than any REST answer still in flight. */
  const pushed = useRef(false);
  const [seen, setSeen] = useState<SeenCases>({ seen: null });
  const sound = useChime();

  const take = useCallback((list: HospitalCase[]) => {
    setCases(list);
    setSeen((s) => afterList(s, list));
    setUpdatedAt(Date.now());
  }, []);

  // A new case draws attention: a badge on it, the count in the tab title, and a chime when sound is on.
  const fresh = cases ? unseen(seen, cases) : [];
  const lastFresh = useRef(0);
  useEffect(() => {
    const base = document.title.replace(/^\(\d+\) /, '');
    document.title = fresh.length ? `(${fresh.length}) ${base}` : base;
    if (fresh.length > lastFresh.current) sound.ring();
    lastFresh.current = fresh.length;
  }, [fresh.length, sound.ring]);

  useEffect(() => {
    // Listen first, then take the REST snapshot: a push in between is never lost (a newer push wins).
    const onCases = (e: HospitalCasesEvent) => {
      if (user.hospitalId && e.hospitalId !== user.hospitalId) return;
      pushed.current = true;
      take(e.cases);
    };
    const onConnect = () => setLive(true);
    const onDisconnect = () => setLive(false);
    socket.on('hospitalCases', onCases);
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    setLive(socket.connected);
    void request<HospitalCase[]>('GET', '/api/hospital/cases').then((r) => {
      if (r.ok && !pushed.current) take(r.value);
      else if (!r.ok) setError(r.message);
    });
    void request<Hospital>('GET', '/api/hospital').then((r) => (r.ok ? setHospital(r.value) : setError(r.message)));
    return () => {
      socket.off('hospitalCases', onCases);
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
    };
  }, [socket, take, user.hospitalId]);

  const record = async (c: HospitalCase, what: 'arrival' | 'handover') => {
    setBusy(`${c.incidentId}:${what}`);
    const r = await request<null>('POST', `/api/hospital/cases/${encodeURIComponent(c.incidentId)}/${what}`);
    setBusy(null);
    if (!r.ok) return setError(r.message);
    setError(null);
    setRecorded((prev) => ({ ...prev, [c.incidentId]: { ...prev[c.incidentId], [what === 'arrival' ? 'arrivalAt' : 'handoverAt']: Date.now() } }));
  };

  if (!user.hospitalId) {
    return (
      <div className="page hospital-page">
        <PageBar title={p('hospital.title')} user={user} onLogout={onLogout} />
        <p className="error big">{p('hospital.notConfigured')}</p>
      </div>
    );
  }

  return (
    <div className="page hospital-page">
      <PageBar title={hospital ? hospital.name : p('hospital.title')} user={user} onLogout={onLogout}>
        <button type="button" className={`sound${sound.soundOn ? ' on' : ''}`} name="sound" aria-pressed={sound.soundOn} data-chimes={sound.count} onClick={sound.toggle}>
          {p(sound.soundOn ? 'hospital.soundOn' : 'hospital.soundOff')}
        </button>
        <span className={`conn ${live ? 'live' : 'offline'}`} data-connection={live ? 'live' : 'offline'}>
          {live ? p('hospital.live') : p('hospital.offline')}
        </span>
      </PageBar>
      <main className="hospital-body">
        <section className="cases" aria-labelledby="cases-title">
          <header className="cases-head">
            <h2 id="cases-title">
              {p('hospital.incoming')} <span className="count">{cases ? count(cases.length) : ''}</span>
            </h2>
            {updatedAt ? <span className="muted">{p('hospital.updated', { time: time(updatedAt) })}</span> : null}
          </header>
          {error ? (
            <p className="error" role="alert">
              {error}
            </p>
          ) : null}
          {cases === null ? <p className="muted big">{p('common.loading')}</p> : null}
          {cases?.length === 0 ? <p className="empty big">{p('hospital.empty')}</p> : null}
          <ol className="case-list">
            {cases?.map((c) => {
              const rec = recorded[c.incidentId] ?? {};
              const canRecord = AT_OR_TO_HOSPITAL.has(c.state);
              const done = rec.handoverAt !== undefined;
              const isNew = fresh.includes(c.incidentId);
              return (
                <li key={c.incidentId} className={`case p${c.priority}${done ? ' done' : ''}${isNew ? ' new' : ''}`} data-incident-id={c.incidentId} data-state={c.state}>
                  <div className="case-id">
                    <span className="num">#{c.number}</span>
                    <span className={`prio p${c.priority}`}>P{c.priority}</span>
                    {isNew ? (
                      <button type="button" className="new-badge" name="seen" title={p('hospital.markSeen')} onClick={() => setSeen((s) => markSeen(s, c.incidentId))}>
                        {p('hospital.new')} ✓
                      </button>
                    ) : null}
                  </div>
                  <div className="case-main">
                    <div className="case-what">
                      <strong>{t(categoryKey(c.category as never))}</strong> · {t(priorityKey(c.priority))}
                    </div>
                    <div className="case-unit">
                      {p('hospital.unit')} <strong>{c.callSign ?? c.vehicleId ?? '—'}</strong> · <span className={`state s-${c.state}`}>{t(stateKey(c.state as never))}</span>
                    </div>
                    {c.notes ? (
                      <p className="case-notes">
                        <span className="muted">{p('hospital.notes')}:</span> {c.notes}
                      </p>
                    ) : null}
                  </div>
                  <div className="case-eta" data-eta-sec={c.etaSec ?? ''}>
                    {c.state === 'at_hospital' ? (
                      <span className="eta-here">{p('hospital.here')}</span>
                    ) : c.etaSec === null ? (
                      <span className="muted">{p('hospital.etaUnknown')}</span>
                    ) : (
                      <>
                        <span className="label">{p('hospital.eta')}</span>
                        <span className="eta">{duration(c.etaSec)}</span>
                        <span className="muted">{p('hospital.etaAt', { time: time((updatedAt ?? Date.now()) + c.etaSec * 1000).slice(0, 5) })}</span>
                        {c.state !== 'transporting' ? <span className="muted small">{p('hospital.viaScene')}</span> : null}
                      </>
                    )}
                  </div>
                  <div className="case-actions">
                    {rec.arrivalAt !== undefined ? (
                      <span className="done-label">{p('hospital.arrivalDone', { time: time(rec.arrivalAt) })}</span>
                    ) : (
                      <button type="button" className="big-button" name="arrival" disabled={!canRecord || busy !== null} title={canRecord ? undefined : p('hospital.notYet')} onClick={() => void record(c, 'arrival')}>
                        {p('hospital.arrival')}
                      </button>
                    )}
                    {done ? (
                      <span className="done-label">{p('hospital.handoverDone', { time: time(rec.handoverAt!) })}</span>
                    ) : (
                      <button type="button" className="big-button primary" name="handover" disabled={!canRecord || busy !== null} title={canRecord ? undefined : p('hospital.notYet')} onClick={() => void record(c, 'handover')}>
                        {p('hospital.handover')}
                      </button>
                    )}
                  </div>
                </li>
              );
            })}
          </ol>
        </section>
        <EdStatusForm hospital={hospital} onSaved={setHospital} />
      </main>
    </div>
  );
}
