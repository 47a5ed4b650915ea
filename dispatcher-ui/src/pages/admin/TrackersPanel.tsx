import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Tracker, TrackerInput, TrackerView, Vehicle } from '@lifeline/protocol';
import { request } from '../../api.ts';
import { usePageText } from '../text.ts';

/** Phones as trackers: GET/POST /api/trackers {kind, deviceKey, vehicleId, encryptionKey?}; the list shows why a phone's last message was refused. */
export function TrackersPanel({ vehicles, kinds }: { vehicles: Vehicle[]; kinds: readonly Tracker['kind'][] }) {
  const { p } = usePageText();
  const [list, setList] = useState<TrackerView[] | null>(null);
  const [form, setForm] = useState<Tracker>({ kind: 'owntracks', deviceKey: '', vehicleId: '' });
  const [encryptionKey, setEncryptionKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const load = useCallback(() => void request<TrackerView[]>('GET', '/api/trackers').then((r) => (r.ok ? setList(r.value) : setError(r.message))), []);
  useEffect(load, [load]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const body: TrackerInput = { ...form, deviceKey: form.deviceKey.trim(), vehicleId: form.vehicleId.trim(), ...(form.kind === 'owntracks' && encryptionKey ? { encryptionKey } : {}) };
    const r = await request<TrackerView>('POST', '/api/trackers', body);
    if (!r.ok) return setError(r.message);
    setError(null);
    setNotice(p('admin.trackers.added', { deviceKey: body.deviceKey, unit: body.vehicleId }));
    setForm({ ...form, deviceKey: '' });
    setEncryptionKey('');
    load();
  };

  return (
    <section className="panel admin-trackers" aria-labelledby="trackers-title">
      <h2 id="trackers-title">{p('admin.trackers.title')}</h2>
      <form className="tracker-form" onSubmit={add}>
        <label>
          {p('admin.trackers.kind')}
          <select name="kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as Tracker['kind'] })}>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {k === 'owntracks' ? 'OwnTracks' : 'OsmAnd / Traccar Client'}
              </option>
            ))}
          </select>
        </label>
        <label>
          {p('admin.trackers.deviceKey')}
          <input name="deviceKey" autoComplete="off" placeholder={p(`admin.trackers.keyHint.${form.kind}`)} value={form.deviceKey} onChange={(e) => setForm({ ...form, deviceKey: e.target.value })} />
        </label>
        <label>
          {p('admin.vehicle')}
          <input name="trackerUnit" list="admin-units" autoComplete="off" value={form.vehicleId} onChange={(e) => setForm({ ...form, vehicleId: e.target.value })} />
        </label>
        {form.kind === 'owntracks' ? (
          <label>
            {p('admin.trackers.encryptionKey')}
            <input name="encryptionKey" type="password" autoComplete="off" placeholder={p('admin.trackers.encryptionKeyHint')} value={encryptionKey} onChange={(e) => setEncryptionKey(e.target.value)} />
          </label>
        ) : null}
        <button type="submit" className="primary" disabled={!form.deviceKey.trim() || !form.vehicleId.trim()}>
          {p('admin.trackers.add')}
        </button>
      </form>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      {list?.length === 0 ? <p className="muted">{p('admin.trackers.empty')}</p> : null}
      {list?.length ? (
        <table className="plain">
          <thead>
            <tr>
              <th>{p('admin.trackers.kind')}</th>
              <th>{p('admin.trackers.deviceKey')}</th>
              <th>{p('admin.vehicle')}</th>
              <th>{p('admin.trackers.lastError')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((t) => (
              <tr key={`${t.kind}:${t.deviceKey}`}>
                <td>{t.kind}</td>
                <td>
                  <code>{t.deviceKey}</code>
                </td>
                <td>
                  {vehicles.find((v) => v.id === t.vehicleId)?.callSign ?? t.vehicleId}
                  {t.encrypted ? ` · ${p('admin.trackers.encrypted')}` : ''}
                </td>
                <td className={t.lastError ? 'error' : 'muted'}>{t.lastError ? `${t.lastError} (${new Date(t.lastErrorAt ?? 0).toLocaleString()})` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
