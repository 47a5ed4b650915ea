import { useState, type FormEvent } from 'react';
import type { Vehicle } from '@lifeline/protocol';
import { request } from '../../api.ts';
import { usePageText } from '../text.ts';

const VEHICLE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Issues a unit's MQTT password (POST /api/vehicles/:id/credentials); shown once, here, never stored in the page. */
export function CredentialsPanel({ vehicles }: { vehicles: Vehicle[] }) {
  const { p } = usePageText();
  const [unit, setUnit] = useState('');
  const [issued, setIssued] = useState<{ username: string; password: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const issue = async (e: FormEvent) => {
    e.preventDefault();
    const id = unit.trim();
    if (!VEHICLE_ID.test(id)) return;
    if (!window.confirm(p('admin.creds.confirm', { unit: id }))) return;
    setBusy(true);
    setIssued(null);
    const r = await request<{ username: string; password: string }>('POST', `/api/vehicles/${encodeURIComponent(id)}/credentials`);
    setBusy(false);
    if (!r.ok) return setError(r.message);
    setError(null);
    setIssued(r.value);
  };

  return (
    <section className="panel admin-creds" aria-labelledby="creds-title">
      <h2 id="creds-title">{p('admin.creds.title')}</h2>
      <p className="hint">{p('admin.creds.hint')}</p>
      <form className="row" onSubmit={issue}>
        <label className="grow">
          {p('admin.creds.unitId')}
          <input name="credUnit" list="admin-units" autoComplete="off" value={unit} onChange={(e) => setUnit(e.target.value)} />
          <datalist id="admin-units">
            {vehicles.map((v) => (
              <option key={v.id} value={v.id} />
            ))}
          </datalist>
        </label>
        <button type="submit" className="primary" disabled={busy || !VEHICLE_ID.test(unit.trim())}>
          {p('admin.creds.issue')}
        </button>
      </form>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {issued ? (
        <div className="secret" role="status">
          <strong>{p('admin.creds.shownOnce')}</strong>
          <dl>
            <dt>{p('admin.creds.user')}</dt>
            <dd>
              <code data-secret="username">{issued.username}</code>
            </dd>
            <dt>{p('admin.creds.password')}</dt>
            <dd>
              <code data-secret="password">{issued.password}</code>
            </dd>
          </dl>
        </div>
      ) : null}
    </section>
  );
}
