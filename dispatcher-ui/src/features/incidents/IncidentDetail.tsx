import { useEffect, useState } from 'react';
import type { Hospital, Incident, TimelineEvent, UnitRoute } from '@lifeline/protocol';
import { api } from '../../api.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { msg, type Msg } from '../../i18n/format.ts';
import { actorKey, autoWhyKey, categoryKey, stateKey, timelineKey } from '../../i18n/dict.ts';
import { AUTO_ASSIGN_ACTOR } from '@lifeline/protocol';
import { DESTINATION_CHANGEABLE, DestinationFact, DestinationForm } from './Destination.tsx';

export interface IncidentDetailProps {
  incident: Incident;
  /** The assigned unit's route, when one is drawn. */
  route: UnitRoute | null;
  /** Moves when the timeline grows without the incident changing (a pushed `timeline` event). */
  timelineTick: number;
  callSign(vehicleId: string): string;
  /** Every hospital with its ED status: the destination's name, and the choices to change it. */
  hospitals: Hospital[];
  onReassign(): void;
  onAssign(): void;
  onChanged(incident: Incident, notice: Msg): void;
  onClose(): void;
}

const CANCELLABLE: ReadonlySet<Incident['state']> = new Set(['received', 'triaged', 'assigned', 'acknowledged', 'en_route']);
const CLOSABLE: ReadonlySet<Incident['state']> = new Set(['on_scene', 'at_hospital']);
const REASSIGNABLE: ReadonlySet<Incident['state']> = new Set(['assigned', 'acknowledged', 'en_route']);
const ASSIGNABLE: ReadonlySet<Incident['state']> = new Set(['received', 'triaged']);

type Pending = 'cancel' | 'close' | 'destination' | null;

/** One incident: what was reported, its full timeline, and cancel / reassign / close. */
export function IncidentDetail({ incident, route, timelineTick, callSign, hospitals, onReassign, onAssign, onChanged, onClose }: IncidentDetailProps) {
  const { t, tm, time, eta, km } = useI18n();
  const [events, setEvents] = useState<TimelineEvent[] | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Msg | null>(null);
  const [busy, setBusy] = useState(false);

  // The timeline is re-read whenever the incident changes (its version moves with every event
  // that changes its state) or the server announces an event that does not (e.g. AckTimedOut).
  useEffect(() => {
    let cancelled = false;
    void api.timeline(incident.id).then((r) => {
      if (!cancelled && r.ok) setEvents(r.value);
    });
    return () => {
      cancelled = true;
    };
  }, [incident.id, incident.version, timelineTick]);

  useEffect(() => {
    setPending(null);
    setError(null);
  }, [incident.id]);

  const act = async (what: 'cancel' | 'close') => {
    setBusy(true);
    setError(null);
    const r = what === 'cancel' ? await api.cancel(incident.id, reason.trim() || undefined) : await api.close(incident.id, reason.trim() || undefined);
    setBusy(false);
    if (!r.ok) return setError(r.code === 'NETWORK' ? msg('error.network') : msg('error.server', { message: r.message }));
    setPending(null);
    setReason('');
    onChanged(r.value, msg(what === 'cancel' ? 'detail.cancelled' : 'detail.closed', { number: String(r.value.number) }));
  };

  const describe = (e: TimelineEvent): string => {
    const d = e.data;
    const parts: string[] = [];
    if (typeof d.vehicleId === 'string') parts.push(callSign(d.vehicleId));
    if (typeof d.hospitalId === 'string') parts.push(`→ ${hospitals.find((h) => h.id === d.hospitalId)?.name ?? d.hospitalId}`);
    if (typeof d.reason === 'string' && d.reason) parts.push(`“${d.reason}”`);
    if (typeof d.number === 'number') parts.push(`#${d.number}`);
    // A merged duplicate: the second caller, who may be the one to call back.
    if (e.type === 'DuplicateMerged' && typeof d.callerPhone === 'string') parts.push([d.callerPhone, d.callerName, typeof d.calledAt === 'string' ? time(d.calledAt) : null].filter(Boolean).join(' · '));
    // The auto-assign policy's events: the unit's ETA and why it stopped or stood back.
    if (e.actor === AUTO_ASSIGN_ACTOR && typeof d.etaSec === 'number') parts.push(eta(d.etaSec));
    const why = typeof d.why === 'string' ? autoWhyKey(d.why) : null;
    if (why) parts.push(t(why));
    return parts.join(' · ');
  };

  // The current unit was chosen by the auto-assign policy: say so above everything else.
  const auto = events && incident.vehicleId ? events.findLast((e) => (e.type === 'AutoAssigned' || e.type === 'AutoReassigned') && e.data.vehicleId === incident.vehicleId) : undefined;

  const actorLabel = (actor: string): string => {
    const a = actorKey(actor);
    return a ? t(a.key, { name: a.name }).trim() : actor;
  };

  return (
    <section className="panel detail" aria-labelledby="detail-title" data-incident-id={incident.id} data-state={incident.state}>
      <header className="row">
        <h2 id="detail-title" className="grow">
          {t('detail.title', { number: String(incident.number) })}
        </h2>
        <button type="button" className="link" onClick={onClose}>
          {t('recs.close')}
        </button>
      </header>
      <p className="sub">
        <span className={`prio p${incident.priority}`}>P{incident.priority}</span> {t(categoryKey(incident.category))} ·{' '}
        <span className={`state s-${incident.state}`}>{t(stateKey(incident.state))}</span>
      </p>
      {auto ? (
        <p className="auto-assigned" data-auto-assigned={incident.vehicleId}>
          {auto.type === 'AutoReassigned' && typeof auto.data.fromVehicleId === 'string'
            ? t('auto.detailReassigned', { unit: callSign(incident.vehicleId!), from: callSign(auto.data.fromVehicleId) })
            : t('auto.detail', { unit: callSign(incident.vehicleId!), priority: incident.priority, eta: eta(Number(auto.data.etaSec)) })}
        </p>
      ) : null}
      <dl className="facts">
        <dt>{t('detail.caller')}</dt>
        <dd>
          {incident.callerPhone}
          {incident.callerName ? ` · ${incident.callerName}` : ''} · {incident.line} · {t(`channel.${incident.channel}`)}
        </dd>
        {incident.address ? (
          <>
            <dt>{t('intake.address')}</dt>
            <dd>{incident.address}</dd>
          </>
        ) : null}
        <dt>{t('detail.unit')}</dt>
        <dd>{incident.vehicleId ? callSign(incident.vehicleId) : t('incidents.noUnit')}</dd>
        <DestinationFact incident={incident} hospitals={hospitals} />
        {route ? (
          <>
            <dt>{t('detail.route')}</dt>
            <dd data-route-source={route.source}>
              {t(route.to === 'scene' ? 'detail.routeScene' : 'detail.routeHospital', { eta: eta(route.etaSec), km: km(route.distanceM) })} · {t(`why.source.${route.source}`)}
            </dd>
          </>
        ) : null}
        {incident.notes ? (
          <>
            <dt>{t('intake.notes')}</dt>
            <dd className="notes">{incident.notes}</dd>
          </>
        ) : null}
      </dl>
      {error ? (
        <p className="error" role="alert">
          {tm(error)}
        </p>
      ) : null}
      {pending === 'destination' ? (
        <DestinationForm
          incident={incident}
          hospitals={hospitals}
          onCancel={() => setPending(null)}
          onChanged={(i, n) => {
            setPending(null);
            onChanged(i, n);
          }}
        />
      ) : pending ? (
        <form
          className="reason"
          onSubmit={(e) => {
            e.preventDefault();
            void act(pending);
          }}
        >
          <label>
            {t(pending === 'cancel' ? 'detail.cancelReason' : 'detail.closeReason')}
            <input name="reason" autoFocus maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && setPending(null)} />
          </label>
          <div className="row actions">
            <button type="submit" className="primary" disabled={busy} data-confirm={pending}>
              {t(pending === 'cancel' ? 'detail.confirmCancel' : 'detail.confirmClose')}
            </button>
            <button type="button" onClick={() => setPending(null)}>
              {t('reason.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <div className="row actions wrap">
          {ASSIGNABLE.has(incident.state) ? (
            <button type="button" className="primary" onClick={onAssign}>
              {t('incidents.openRecs')}
            </button>
          ) : null}
          {REASSIGNABLE.has(incident.state) ? (
            <button type="button" data-action="reassign" onClick={onReassign}>
              {t('detail.reassign')}
            </button>
          ) : null}
          {DESTINATION_CHANGEABLE.has(incident.state) ? (
            <button type="button" data-action="destination" onClick={() => setPending('destination')}>
              {t('dest.change')}
            </button>
          ) : null}
          {CLOSABLE.has(incident.state) ? (
            <button type="button" data-action="close" onClick={() => setPending('close')}>
              {t('detail.close')}
            </button>
          ) : null}
          {CANCELLABLE.has(incident.state) ? (
            <button type="button" className="danger" data-action="cancel" onClick={() => setPending('cancel')}>
              {t('detail.cancel')}
            </button>
          ) : null}
        </div>
      )}
      <h3>{t('detail.timeline')}</h3>
      {events === null ? (
        <p className="hint">{t('recs.loading')}</p>
      ) : (
        <ol className="timeline">
          {events.map((e, i) => (
            <li key={i} data-type={e.type}>
              <span className="ts">{time(e.ts)}</span>
              <span className="what">{timelineKey(e.type) ? t(timelineKey(e.type)!) : e.type}</span>
              <span className="more">{describe(e)}</span>
              <span className="actor">{actorLabel(e.actor)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
