import { useState, type FormEvent } from 'react';
import type { Vehicle } from '@lifeline/protocol';
import { request } from '../../api.ts';
import { usePageText } from '../text.ts';

const VEHICLE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Registers a unit (POST /api/vehicles): the only way a unit is made by hand. Credentials and
 * trackers are given to registered units only, so a typo there is refused, not a phantom unit.
 */
export function RegisterUnitPanel({ onRegistered }: { onRegistered(v: Vehicle): void }) {
  const { p } = usePageText();
  const [id, setId] = useState('');
  const [callSign, setCallSign] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ok = VEHICLE_ID.test(id.trim()) && callSign.trim() !== '';

  const register = async (e: FormEvent) => {
    e.preventDefault();
    if (!ok) return;
    setBusy(true);
    const r = await request<Vehicle>('POST', '/api/vehicles', { id: id.trim(), callSign: callSign.trim() });
    setBusy(false);
    if (!r.ok) return setError(r.message);
    setError(null);
    setId('');
    setCallSign('');
    onRegistered(r.value);
  };

  return (
    <section className="panel admin-units" aria-labelledby="units-title">
      <h2 id="units-title">{p('admin.units.title')}</h2>
      <form className="row wrap" onSubmit={register}>
        <label className="grow">
          {p('admin.creds.unitId')}
          <input name="unitId" autoComplete="off" value={id} onChange={(e) => setId(e.target.value)} />
        </label>
        <label className="grow">
          {p('admin.units.callSign')}
          <input name="callSign" autoComplete="off" maxLength={40} value={callSign} onChange={(e) => setCallSign(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={busy || !ok}>
          {p('admin.units.register')}
        </button>
      </form>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
