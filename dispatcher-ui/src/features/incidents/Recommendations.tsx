import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Incident, Recommendation } from '@lifeline/protocol';
import { api } from '../../api.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { msg, type Msg } from '../../i18n/format.ts';
import { categoryKey, stateKey } from '../../i18n/dict.ts';

export interface RecommendationsProps {
  incident: Incident;
  /** From the create response; null → fetched. */
  initial: Recommendation[] | null;
  onAssigned(incident: Incident, rec: Recommendation): void;
  onClose(): void;
}

const ASSIGNABLE: ReadonlySet<Incident['state']> = new Set(['received', 'triaged']);

/**
 * The top units for an incident with ETA and distance. One click, or Enter on the focused row,
 * assigns; ↑/↓ move between rows. A 409 (the unit was just taken) refreshes the list.
 */
export function Recommendations({ incident, initial, onAssigned, onClose }: RecommendationsProps) {
  const { t, tm, eta, km } = useI18n();
  const [recs, setRecs] = useState<Recommendation[] | null>(initial);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<Msg | null>(null);
  const list = useRef<HTMLOListElement>(null);

  const focusRow = (i: number) => list.current?.querySelectorAll<HTMLElement>('[role="option"]')[i]?.focus();

  const refresh = useCallback(async () => {
    const r = await api.recommendations(incident.id);
    if (r.ok) setRecs(r.value.recommendations);
    else setMessage(r.code === 'NETWORK' ? msg('error.network') : msg('error.server', { message: r.message }));
    return r.ok;
  }, [incident.id, t]);

  useEffect(() => {
    setRecs(initial);
    setMessage(null);
    if (!initial) void refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [incident.id]);

  // Keyboard first: the best unit is focused as soon as the list is shown, so Enter sends it.
  useEffect(() => {
    if (recs?.length) focusRow(0);
  }, [recs]);

  const assign = async (rec: Recommendation) => {
    if (busy) return;
    setBusy(rec.vehicleId);
    setMessage(null);
    const r = await api.assign(incident.id, { vehicleId: rec.vehicleId });
    setBusy(null);
    if (r.ok) return onAssigned(r.value.incident, rec);
    if (r.code === 'UNIT_UNAVAILABLE') {
      await refresh();
      setMessage(msg('assign.unavailable', { unit: rec.callSign }));
      return;
    }
    setMessage(r.code === 'NETWORK' ? msg('error.network') : msg('assign.failed', { message: r.message }));
  };

  const onKey = (e: KeyboardEvent<HTMLLIElement>, i: number, rec: Recommendation) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      void assign(rec);
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      focusRow(i + 1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      focusRow(i - 1);
    } else if (e.key === 'Escape') {
      onClose();
    }
  };

  const assignable = ASSIGNABLE.has(incident.state);
  return (
    <section className="panel recs" aria-labelledby="recs-title" data-incident-id={incident.id}>
      <header className="row">
        <h2 id="recs-title">{t('recs.title', { number: String(incident.number) })}</h2>
        <button type="button" className="link" onClick={onClose}>
          {t('recs.close')}
        </button>
      </header>
      <p className="sub">
        <span className={`prio p${incident.priority}`}>P{incident.priority}</span> {t(categoryKey(incident.category))}
        {incident.address ? ` · ${incident.address}` : ''}
      </p>
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
            <span>{t('recs.unit')}</span>
            <span>{t('recs.eta')}</span>
            <span>{t('recs.distance')}</span>
            <span />
          </div>
          <ol ref={list} role="listbox" aria-label={t('recs.title', { number: String(incident.number) })}>
            {recs.map((rec, i) => (
              <li
                key={rec.vehicleId}
                role="option"
                aria-selected={false}
                tabIndex={0}
                className="rec"
                data-vehicle-id={rec.vehicleId}
                onClick={() => void assign(rec)}
                onKeyDown={(e) => onKey(e, i, rec)}
              >
                <span className="cs">{rec.callSign}</span>
                <span className="eta">{eta(rec.etaSec)}</span>
                <span className="dist">{km(rec.distanceM)}</span>
                <span className="go">{busy === rec.vehicleId ? t('recs.assigning') : t('recs.assign')}</span>
              </li>
            ))}
          </ol>
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
