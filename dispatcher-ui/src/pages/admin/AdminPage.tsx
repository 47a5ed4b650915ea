import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { CreateUserBody, Hospital, Role, User, Vehicle } from '@lifeline/protocol';
import { ROLES, TRACKER_KINDS } from '@lifeline/protocol';
import { request } from '../../api.ts';
import { usePageText } from '../text.ts';
import { CredentialsPanel } from './CredentialsPanel.tsx';
import { RegisterUnitPanel } from './RegisterUnitPanel.tsx';
import { TrackersPanel } from './TrackersPanel.tsx';

const USERNAME = /^[a-z0-9._-]{3,40}$/;

/** Admin: users (list, create), units (register), unit MQTT passwords, phone trackers. */
export function AdminPage() {
  const [hospitals, setHospitals] = useState<Hospital[]>([]);
  const [vehicles, setVehicles] = useState<Vehicle[]>([]);
  useEffect(() => {
    void request<Hospital[]>('GET', '/api/hospitals').then((r) => r.ok && setHospitals(r.value));
    void request<Vehicle[]>('GET', '/api/vehicles').then((r) => r.ok && setVehicles([...r.value].sort((a, b) => a.id.localeCompare(b.id))));
  }, []);
  return (
    <div className="admin-page">
      <UsersPanel hospitals={hospitals} vehicles={vehicles} />
      <div className="admin-col">
        <RegisterUnitPanel onRegistered={(v) => setVehicles((vs) => [...vs, v].sort((a, b) => a.id.localeCompare(b.id)))} />
        <CredentialsPanel vehicles={vehicles} />
        <TrackersPanel vehicles={vehicles} kinds={TRACKER_KINDS} />
      </div>
    </div>
  );
}

function UsersPanel({ hospitals, vehicles }: { hospitals: Hospital[]; vehicles: Vehicle[] }) {
  const { p } = usePageText();
  const [users, setUsers] = useState<User[] | null>(null);
  const [form, setForm] = useState<CreateUserBody>({ username: '', displayName: '', password: '', role: 'dispatcher' });
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => void request<User[]>('GET', '/api/users').then((r) => (r.ok ? setUsers(r.value) : setError(r.message))), []);
  useEffect(load, [load]);
  const set = (patch: Partial<CreateUserBody>) => setForm((f) => ({ ...f, ...patch }));

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const body: CreateUserBody = { username: form.username.trim().toLowerCase(), displayName: form.displayName.trim(), password: form.password, role: form.role };
    if (!USERNAME.test(body.username)) return setError(p('admin.err.username'));
    if (body.password.length < 10) return setError(p('admin.err.password'));
    if (body.role === 'hospital') {
      if (!form.hospitalId) return setError(p('admin.err.hospital'));
      body.hospitalId = form.hospitalId;
    }
    if (body.role === 'crew') {
      if (!form.vehicleId) return setError(p('admin.err.vehicle'));
      body.vehicleId = form.vehicleId;
    }
    setBusy(true);
    const r = await request<User>('POST', '/api/users', body);
    setBusy(false);
    if (!r.ok) return setError(r.message);
    setError(null);
    setNotice(p('admin.created', { username: r.value.username }));
    setForm({ username: '', displayName: '', password: '', role: form.role });
    load();
  };

  const hospitalName = (id: string | null) => (id ? (hospitals.find((h) => h.id === id)?.name ?? id) : '');
  return (
    <section className="panel admin-users" aria-labelledby="users-title">
      <h2 id="users-title">
        {p('admin.users')} <span className="count">{users?.length ?? ''}</span>
      </h2>
      <form className="user-form" onSubmit={create}>
        <label>
          {p('admin.username')}
          <input name="username" autoComplete="off" value={form.username} onChange={(e) => set({ username: e.target.value })} />
        </label>
        <label>
          {p('admin.displayName')}
          <input name="displayName" value={form.displayName} onChange={(e) => set({ displayName: e.target.value })} />
        </label>
        <label>
          {p('admin.password')}
          <input name="password" type="password" autoComplete="new-password" value={form.password} onChange={(e) => set({ password: e.target.value })} />
        </label>
        <label>
          {p('admin.role')}
          <select name="role" value={form.role} onChange={(e) => set({ role: e.target.value as Role })}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {p(`role.${r}`)}
              </option>
            ))}
          </select>
        </label>
        {form.role === 'hospital' ? (
          <label>
            {p('admin.hospital')}
            <select name="hospitalId" value={form.hospitalId ?? ''} onChange={(e) => set({ hospitalId: e.target.value || undefined })}>
              <option value="">—</option>
              {hospitals.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {form.role === 'crew' ? (
          <label>
            {p('admin.vehicle')}
            <select name="vehicleId" value={form.vehicleId ?? ''} onChange={(e) => set({ vehicleId: e.target.value || undefined })}>
              <option value="">—</option>
              {vehicles.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.callSign === v.id ? v.id : `${v.callSign} (${v.id})`}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="submit" className="primary" disabled={busy || !form.username || !form.displayName || !form.password}>
          {p('admin.create')}
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
      {users?.length === 0 ? <p className="muted">{p('admin.empty')}</p> : null}
      <table className="plain users-table">
        <thead>
          <tr>
            <th>{p('admin.username')}</th>
            <th>{p('admin.displayName')}</th>
            <th>{p('admin.role')}</th>
            <th>{p('admin.hospital')} / {p('admin.vehicle')}</th>
          </tr>
        </thead>
        <tbody>
          {users?.map((u) => (
            <tr key={u.id} data-username={u.username}>
              <td>
                <code>{u.username}</code>
              </td>
              <td>{u.displayName}</td>
              <td>{p(`role.${u.role}`)}</td>
              <td>{hospitalName(u.hospitalId) || u.vehicleId || ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}


