import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Caller, Incident, PossibleDuplicate, Recommendation, UnitStatus } from '@lifeline/protocol';
import { api } from '../../api.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { msg, type Msg } from '../../i18n/format.ts';
import { categoryKey, stateKey, statusKey } from '../../i18n/dict.ts';
import { needsReason, rankWhy } from './rank.ts';

export type AssignMode = 'assign' | 'reassign';

export interface RecommendationsProps {
  incident: Incident;
  /** From the create response; null → fetched. */
  initial: Recommendation[] | null;
  mode: AssignMode;
  /** Open incidents this new call may duplicate (from the create response). */
  duplicates: PossibleDuplicate[];
  /** The caller, from the create response (for the harassing-caller flag). */
  caller: Caller | null;
  unitStatus(vehicleId: string): UnitStatus | null;
  callSign(vehicleId: string): string;
  onAssigned(incident: Incident, rec: Recommendation): void;
  onMerged(incident: Incident, into: PossibleDuplicate): void;
  onDetails(): void;
  onClose(): void;
}

const ASSIGNABLE: Record<AssignMode, ReadonlySet<Incident['state']>> = {
  assign: new Set(['received', 'triaged']),
  reassign: new Set(['assigned', 'acknowledged', 'en_route']),
};

/**
 * The top units for an incident: ETA, distance (road and straight line), status and why they rank.
 * One click, Enter on the focused row, or the row's digit (1–9) assigns; ↑/↓ move. A unit other
 * than the first asks for a short reason first. A 409 (the unit was just taken) refreshes the list.
 */
export function Recommendations(p: RecommendationsProps) {
  const { incident, initial, mode } = p;
  const { t, tm, eta, km } = useI18n();
  const [recs, setRecs] = useState<Recommendation[] | null>(initial);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<Msg | null>(null);
  const [asking, setAsking] = useState<Recommendation | null>(null);
  const [reason, setReason] = useState('');
  const [merged, setMerged] = useState(false);
  const list = useRef<HTMLOListElement>(null);

  const focusRow = (i: number) => list.current?.querySelectorAll<HTMLElement>('[role="option"]')[i]?.focus();

  const refresh = useCallback(async () => {
    const r = await api.recommendations(incident.id);
    if (r.ok) setRecs(r.value.recommendations);
    else setMessage(r.code === 'NETWORK' ? msg('error.network') : msg('error.server', { message: r.message }));
    return r.ok;
  }, [incident.id]);

  useEffect(() => {
    setRecs(initial);
    setMessage(null);
    setAsking(null);
    setMerged(false);
    if (!initial) void refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [incident.id, mode]);

  // Keyboard first: the best unit is focused as soon as the list is shown, so Enter sends it.
  useEffect(() => {
    if (recs?.length && !asking) focusRow(0);
  }, [recs, asking]);

  const send = async (rec: Recommendation, why: string | undefined) => {
    if (busy) return;
    setBusy(rec.vehicleId);
    setMessage(null);
    const body = { vehicleId: rec.vehicleId, ...(why ? { reason: why } : {}) };
    const r = mode === 'assign' ? await api.assign(incident.id, body) : await api.reassign(incident.id, body);
    setBusy(null);
    setAsking(null);
    setReason('');
    if (r.ok) return p.onAssigned(r.value.incident, rec);
    if (r.code === 'UNIT_UNAVAILABLE') {
      await refresh();
      setMessage(msg('assign.unavailable', { unit: rec.callSign }));
      return;
    }
    setMessage(r.code === 'NETWORK' ? msg('error.network') : msg('assign.failed', { message: r.message }));
  };

  const choose = (rec: Recommendation, index: number) => {
    if (busy) return;
    if (needsReason(index)) {
      setAsking(rec);
      setReason('');
    } else void send(rec, undefined);
  };

  const onKey = (e: KeyboardEvent<HTMLLIElement>, i: number, rec: Recommendation) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      choose(rec, i);
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      focusRow(i + 1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      focusRow(i - 1);
    }
  };

  // Digits pick a unit, Escape goes back; not while the reason is being typed.
  const onSectionKey = (e: KeyboardEvent<HTMLElement>) => {
    if (e.target instanceof HTMLInputElement) return;
    if (e.key === 'Escape') return p.onClose();
    if (/^[1-9]$/.test(e.key) && !e.ctrlKey && !e.altKey && !e.metaKey && recs) {
      const i = Number(e.key) - 1;
      const rec = recs[i];
      if (rec) {
        e.preventDefault();
        choose(rec, i);
      }
    }
  };

  const merge = async (d: PossibleDuplicate) => {
    setMessage(null);
    const r = await api.merge(incident.id, d.incidentId);
    if (!r.ok) return setMessage(r.code === 'NETWORK' ? msg('error.network') : msg('error.server', { message: r.message }));
    setMerged(true);
    p.onMerged(r.value, d);
  };

  const assignable = ASSIGNABLE[mode].has(incident.state);
  const best = recs?.[0];
  const title = t(mode === 'assign' ? 'recs.title' : 'recs.titleReassign', { number: String(incident.number) });
  return (
    <section className="panel recs" aria-labelledby="recs-title" data-incident-id={incident.id} data-mode={mode} onKeyDown={onSectionKey}>
      <header className="row">
        <h2 id="recs-title">{title}</h2>
        <button type="button" className="link" onClick={p.onDetails}>
          {t('recs.details')}
        </button>
        <button type="button" className="link" onClick={p.onClose}>
          {t('recs.close')}
        </button>
      </header>
      <p className="sub">
        <span className={`prio p${incident.priority}`}>P{incident.priority}</span> {t(categoryKey(incident.category))}
        {incident.address ? ` · ${incident.address}` : ''}
        {incident.vehicleId && mode === 'reassign' ? ` · ${t('recs.current', { unit: p.callSign(incident.vehicleId) })}` : ''}
      </p>
      {p.caller?.flagged ? (
        <p className="flag" role="note" data-flagged-caller>
          ⚑ {t('caller.flagged')}
          {p.caller.flagReason ? `: ${p.caller.flagReason}` : ''} — {t('caller.stillTaken')}
        </p>
      ) : null}
      {p.duplicates.length && !merged && mode === 'assign' ? (
        <div className="dups" role="alert" data-duplicates={p.duplicates.length}>
          <strong>{t('dup.title')}</strong>
          <ul>
            {p.duplicates.slice(0, 3).map((d) => (
              <li key={d.incidentId} className="row">
                <span className="grow">
                  {t('dup.item', { number: String(d.number), state: t(stateKey(d.state)), distance: km(d.distanceM), minutes: d.minutesAgo })}
                </span>
                <button type="button" className="merge" data-into={d.incidentId} onClick={() => void merge(d)}>
                  {t('dup.merge', { number: String(d.number) })}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {message ? (
        <p className="error" role="alert">
          {tm(message)}
        </p>
      ) : null}
      {!assignable ? (
        <p className="hint">{t('recs.notAssignable', { state: t(stateKey(incident.state)) })}</p>
      ) : recs === null ? (
        <p className="hint">{t('recs.loading')}</p>
      ) : recs.length === 0 ? (
        <p className="hint">{t('recs.empty')}</p>
      ) : (
        <>
          <p className="hint">{t('recs.hint')}</p>
          <div className="recs-head" aria-hidden="true">
            <span>#</span>
            <span>{t('recs.unit')}</span>
            <span>{t('recs.eta')}</span>
            <span>{t('recs.distance')}</span>
          </div>
          <ol ref={list} role="listbox" aria-label={title}>
            {recs.map((rec, i) => {
              const status = p.unitStatus(rec.vehicleId);
              return (
                <li
                  key={rec.vehicleId}
                  role="option"
                  aria-selected={asking?.vehicleId === rec.vehicleId}
                  tabIndex={0}
                  className={`rec${asking?.vehicleId === rec.vehicleId ? ' asking' : ''}`}
                  data-vehicle-id={rec.vehicleId}
                  data-eta-source={rec.etaSource}
                  onClick={() => choose(rec, i)}
                  onKeyDown={(e) => onKey(e, i, rec)}
                >
                  <kbd className="key">{i + 1}</kbd>
                  <span className="cs">
                    {rec.callSign}
                    {status ? <span className={`st st-${status}`}>{t(statusKey(status))}</span> : null}
                  </span>
                  <span className="eta">{eta(rec.etaSec)}</span>
                  <span className="dist" title={t('recs.straightTitle')}>
                    {km(rec.distanceM)}
                    {rec.etaSource !== 'straight_line' ? <small>{t('recs.straight', { km: km(rec.straightLineM) })}</small> : null}
                  </span>
                  <span className="why">{rankWhy(rec, i, best).map(tm).join(' · ')}</span>
                  <span className="go">{busy === rec.vehicleId ? t('recs.assigning') : t('recs.assign')}</span>
                </li>
              );
            })}
          </ol>
          {asking ? (
            <form
              className="reason"
              onSubmit={(e) => {
                e.preventDefault();
                if (reason.trim()) void send(asking, reason.trim());
              }}
            >
              <label>
                {t('reason.notFirst', { unit: asking.callSign, first: best?.callSign ?? '' })}
                <input
                  name="reason"
                  autoFocus
                  maxLength={500}
                  value={reason}
                  placeholder={t('reason.placeholder')}
                  onChange={(e) => setReason(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Escape') {
                      e.stopPropagation();
                      setAsking(null);
                    }
                  }}
                />
              </label>
              <div className="row actions">
                <button type="submit" className="primary" disabled={!reason.trim() || busy !== null}>
                  {t('reason.confirm', { unit: asking.callSign })}
                </button>
                <button type="button" onClick={() => setAsking(null)}>
                  {t('reason.cancel')}
                </button>
              </div>
            </form>
          ) : null}
        </>
      )}
      <div className="row actions">
        <button type="button" onClick={() => void refresh()} disabled={!assignable || busy !== null}>
          {t('recs.refresh')}
        </button>
      </div>
    </section>
  );
}
