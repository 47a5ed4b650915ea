import { useState } from 'react';
import type { Hospital, Incident } from '@lifeline/protocol';
import { api } from '../../api.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { msg, type Msg } from '../../i18n/format.ts';
import { edStatus } from '../hospitals/useHospitals.ts';

/** A unit holds the call and has not reached a hospital yet (the server's rule too). */
export const DESTINATION_CHANGEABLE: ReadonlySet<Incident['state']> = new Set(['assigned', 'acknowledged', 'en_route', 'on_scene', 'transporting']);

/** A hospital's name and ED status, e.g. "Bệnh viện Quốc tế Becamex · 3 giường trống". */
export function useHospitalLabel(): (h: Hospital) => string {
  const { t, count } = useI18n();
  return (h) => {
    const s = edStatus(h);
    return `${h.name} · ${t(s.key, s.n === undefined ? undefined : { n: count(s.n) })}`;
  };
}

/** The destination hospital as a fact of the incident: its name and ED status, never its id. */
export function DestinationFact({ incident, hospitals }: { incident: Incident; hospitals: Hospital[] }) {
  const { t } = useI18n();
  const label = useHospitalLabel();
  const h = hospitals.find((x) => x.id === incident.hospitalId);
  return (
    <>
      <dt>{t('dest.label')}</dt>
      {incident.hospitalId ? (
        <dd data-destination={incident.hospitalId} className={h?.diversion ? 'warn' : undefined}>
          {h ? label(h) : t('hospital.unknown')}
        </dd>
      ) : (
        <dd className="muted">{t('dest.pending')}</dd>
      )}
    </>
  );
}

export interface DestinationFormProps {
  incident: Incident;
  hospitals: Hospital[];
  onChanged(incident: Incident, notice: Msg): void;
  onCancel(): void;
}

/** Another hospital than the server's choice, with the reason (required; it goes on the timeline). */
export function DestinationForm({ incident, hospitals, onChanged, onCancel }: DestinationFormProps) {
  const { t, tm } = useI18n();
  const label = useHospitalLabel();
  const [hospitalId, setHospitalId] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Msg | null>(null);
  const others = hospitals.filter((h) => h.id !== incident.hospitalId);

  const submit = async () => {
    setBusy(true);
    setError(null);
    const r = await api.changeDestination(incident.id, { hospitalId, reason: reason.trim() });
    setBusy(false);
    if (!r.ok) return setError(r.code === 'NETWORK' ? msg('error.network') : msg('error.server', { message: r.message }));
    const name = hospitals.find((h) => h.id === hospitalId)?.name ?? hospitalId;
    onChanged(r.value, msg('dest.changed', { number: String(r.value.number), hospital: name }));
  };

  return (
    <form
      className="reason destination destination-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (hospitalId && reason.trim()) void submit();
      }}
    >
      <label>
        {t('dest.choose')}
        <select name="hospitalId" autoFocus value={hospitalId} onChange={(e) => setHospitalId(e.target.value)}>
          <option value="" disabled>
            —
          </option>
          {others.map((h) => (
            <option key={h.id} value={h.id}>
              {label(h)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('dest.reason')}
        <input name="reason" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} onKeyDown={(e) => e.key === 'Escape' && onCancel()} />
      </label>
      {error ? (
        <p className="error" role="alert">
          {tm(error)}
        </p>
      ) : null}
      <div className="row actions">
        <button type="submit" className="primary" disabled={busy || !hospitalId || !reason.trim()}>
          {t('dest.confirm')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('reason.cancel')}
        </button>
      </div>
    </form>
  );
}
