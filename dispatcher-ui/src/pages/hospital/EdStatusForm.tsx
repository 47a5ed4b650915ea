import { useEffect, useState, type FormEvent } from 'react';
import type { Hospital, HospitalStatusBody } from '@lifeline/protocol';
import { request } from '../../api.ts';
import { usePageText } from '../text.ts';

/** Free ED beds and diversion → POST /api/hospital/status; dispatch's destination choice uses them. */
export function EdStatusForm({ hospital, onSaved }: { hospital: Hospital | null; onSaved(h: Hospital): void }) {
  const { p, time, count } = usePageText();
  const [beds, setBeds] = useState('');
  const [diversion, setDiversion] = useState(false);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!hospital) return;
    setBeds(hospital.edCapacity === null ? '' : String(hospital.edCapacity));
    setDiversion(hospital.diversion);
  }, [hospital]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: HospitalStatusBody = { diversion, edCapacity: beds.trim() === '' ? null : Number(beds) };
    if (body.edCapacity !== null && !(Number.isInteger(body.edCapacity) && body.edCapacity! >= 0)) return setError(p('hospital.ed.beds'));
    setBusy(true);
    const r = await request<Hospital>('POST', '/api/hospital/status', body);
    setBusy(false);
    if (!r.ok) return setError(r.message);
    setError(null);
    setSavedAt(Date.now());
    onSaved(r.value);
  };

  return (
    <form className="panel ed-status" onSubmit={submit} aria-labelledby="ed-title">
      <h2 id="ed-title">{p('hospital.ed.title')}</h2>
      {hospital ? (
        <div className={`ed-now${hospital.diversion ? ' diverting' : ''}`} data-diversion={String(hospital.diversion)}>
          <span className="ed-beds">{hospital.edCapacity === null ? '—' : count(hospital.edCapacity)}</span>
          <span className="muted">
            {p('hospital.ed.beds')}
            {hospital.edCapacity === null ? ` (${p('hospital.ed.bedsUnknown')})` : ''}
          </span>
          <strong className="ed-flag">{hospital.diversion ? p('hospital.ed.diversionOn') : p('hospital.ed.open')}</strong>
        </div>
      ) : null}
      <label>
        {p('hospital.ed.beds')}
        <input name="edCapacity" type="number" min={0} max={10000} inputMode="numeric" value={beds} onChange={(e) => setBeds(e.target.value)} />
      </label>
      <label className="check">
        <input name="diversion" type="checkbox" checked={diversion} onChange={(e) => setDiversion(e.target.checked)} />
        {p('hospital.ed.diversion')}
      </label>
      <p className="hint">{p('hospital.ed.hint')}</p>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row actions">
        <button type="submit" className="primary big-button" disabled={busy || !hospital}>
          {p('hospital.ed.save')}
        </button>
        {savedAt ? (
          <span className="saved" role="status">
            {p('hospital.ed.saved', { time: time(savedAt) })}
          </span>
        ) : null}
      </div>
    </form>
  );
}
