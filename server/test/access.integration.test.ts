import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type HospitalCasesEvent, type Incident, type Role } from '@lifeline/protocol';
import { hashPassword } from '../src/adapters/auth/passwords.ts';
import type { LifelineServer } from '../src/server.ts';
import { api, connectSocket, login, TestEnv, waitFor } from './helpers.ts';

type Who = Role | 'anonymous';
const OPS: Role[] = ['dispatcher', 'supervisor', 'admin'];

describe('access by role (embedded)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  const tokens = new Map<Who, string | null>();
  let incident: Incident;
  let hospitals: string[];

  beforeAll(async () => {
    await env.setup();
    server = await env.start();
    tokens.set('anonymous', null);
    for (const role of ROLES) tokens.set(role, await login(server, role));
    hospitals = (await server.db.selectFrom('hospitals').select('id').orderBy('id').execute()).map((h) => h.id);
    incident = (await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: '0911111111', location: { lat: 10.98, lng: 106.65 }, category: 'burn', priority: 2 })).body.incident;
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  const id = () => incident.id;
  const now = new Date();
  const win = `from=${new Date(now.getTime() - 3600_000).toISOString()}&to=${new Date(now.getTime() + 60_000).toISOString()}`;
  // [method, path, body, who may]
  const routes: [string, string, unknown, Role[]][] = [
    ['GET', '/api/vehicles', undefined, OPS],
    ['GET', '/api/hospitals', undefined, OPS],
    ['GET', '/api/incidents', undefined, OPS],
    ['POST', '/api/incidents', { line: '115', callerPhone: '0912222222', location: { lat: 10.98, lng: 106.65 }, category: 'fall', priority: 4 }, OPS],
    ['GET', `/api/incidents/:id`, undefined, OPS],
    ['GET', `/api/incidents/:id/recommendations`, undefined, OPS],
    ['GET', `/api/incidents/:id/timeline`, undefined, OPS],
    ['POST', `/api/incidents/:id/assign`, { vehicleId: 'NOPE-1' }, OPS],
    ['POST', `/api/incidents/:id/reassign`, { vehicleId: 'NOPE-1' }, OPS],
    ['POST', `/api/incidents/:id/close`, {}, OPS],
    ['GET', `/api/incidents/:id/replay`, undefined, ['supervisor', 'admin']],
    ['GET', `/api/replay?${win}&south=10&west=106&north=11&east=107`, undefined, ['supervisor', 'admin']],
    ['GET', `/api/kpis?${win}`, undefined, ['supervisor', 'admin']],
    ['GET', `/api/kpis.csv?${win}`, undefined, ['supervisor', 'admin']],
    // A body the route refuses (no policies), so an allowed role gets 400 and no simulation starts.
    ['POST', '/api/sim/runs', { source: 'synthetic', policies: [], replications: 1 }, ['supervisor', 'admin']],
    ['GET', '/api/sim/runs/00000000-0000-4000-8000-000000000000', undefined, ['supervisor', 'admin']],
    ['GET', '/api/sim/runs/00000000-0000-4000-8000-000000000000/results.csv', undefined, ['supervisor', 'admin']],
    ['GET', '/api/users', undefined, ['admin']],
    ['POST', '/api/users', { username: 'x1', displayName: 'x', password: 'short', role: 'dispatcher' }, ['admin']],
    ['GET', '/api/hospital', undefined, ['hospital']],
    ['GET', '/api/hospital/cases', undefined, ['hospital']],
    ['POST', '/api/hospital/status', { diversion: false }, ['hospital']],
    ['POST', `/api/hospital/cases/:id/handover`, undefined, ['hospital']],
    ['GET', '/api/crew/assignment', undefined, ['crew']],
    ['POST', '/api/crew/status', { status: 'out_of_service' }, ['crew']],
    ['GET', '/api/auth/me', undefined, [...ROLES]],
    ['POST', `/api/incidents/:id/cancel`, {}, OPS],
  ];
  const whos: Who[] = ['anonymous', ...ROLES];

  it.each(routes.flatMap(([m, p, b, may]) => whos.map((who) => [m, p, b, may, who] as const)).map((r) => [`${r[0]} ${r[1].split('?')[0]} as ${r[4]}`, r] as const))(
    '%s',
    async (_name, [method, path, body, may, who]) => {
      const r = await api(server.url, method, path.replace(':id', id()), body, tokens.get(who) ?? null);
      if (who === 'anonymous') expect(r.status).toBe(401);
      else if (!may.includes(who)) expect(r.status).toBe(403);
      else expect([401, 403]).not.toContain(r.status);
      if (r.status === 401) expect(r.body.code).toBe('UNAUTHORIZED');
      if (r.status === 403) expect(r.body.code).toBe('FORBIDDEN');
    },
  );

  it('refuses wrong passwords, expired or forged tokens, and disabled users', async () => {
    const wrong = await api(server.url, 'POST', '/api/auth/login', { username: 'test-dispatcher', password: 'nope' }, null);
    expect(wrong.status).toBe(401);
    const unknown = await api(server.url, 'POST', '/api/auth/login', { username: 'nobody', password: 'nope' }, null);
    expect(unknown.status).toBe(401);
    expect((await api(server.url, 'GET', '/api/vehicles', undefined, 'forged-token')).status).toBe(401);
    await server.db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', (await server.db.selectFrom('users').select('id').where('username', '=', 'test-supervisor').executeTakeFirstOrThrow()).id).execute();
    // Sessions are cached for up to 5 s, so expiry and disabling take effect within that.
    await waitFor(async () => (await api(server.url, 'GET', '/api/vehicles', undefined, tokens.get('supervisor')!)).status === 401, 'expired session refused', 10_000, 250);
    const t = await login(server, 'dispatcher', { username: 'to-disable' });
    await server.db.updateTable('users').set({ disabled: true }).where('username', '=', 'to-disable').execute();
    await waitFor(async () => (await api(server.url, 'GET', '/api/vehicles', undefined, t)).status === 401, 'disabled user refused', 10_000, 250);
    // Passwords are stored hashed (scrypt), never in clear.
    const row = await server.db.selectFrom('users').select('password_hash').where('username', '=', 'test-dispatcher').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row.password_hash).not.toContain('correct horse');
    expect(await hashPassword('x')).not.toBe(await hashPassword('x'));
  });

  it('logout ends the session', async () => {
    const t = await login(server, 'dispatcher', { username: 'leaver' });
    expect((await api(server.url, 'POST', '/api/auth/logout', undefined, t)).status).toBe(204);
    expect((await api(server.url, 'GET', '/api/auth/me', undefined, t)).status).toBe(401);
  });

  it('refuses socket connections without a valid session, and keeps non-ops roles off the live map', async () => {
    for (const token of [null, 'forged']) {
      const s = connectSocket(server.url, token);
      const error = await new Promise<Error>((resolve) => s.on('connect_error', resolve));
      expect(error.message).toBe('UNAUTHORIZED');
      s.close();
    }
    for (const role of ['hospital', 'crew'] as const) {
      const s = connectSocket(server.url, tokens.get(role)!);
      const got: string[] = [];
      s.onAny((event) => got.push(event));
      await new Promise<void>((resolve) => s.on('connect', () => resolve()));
      // Make live-map traffic happen, then check none of it reached this socket.
      await api(server.url, 'POST', '/api/incidents', { line: '1022', callerPhone: '0913333333', location: { lat: 10.99, lng: 106.66 }, category: 'other', priority: 3 });
      const ops = connectSocket(server.url);
      await new Promise<void>((resolve) => ops.on('snapshot', () => resolve()));
      ops.close();
      expect(got.filter((e) => e === 'snapshot' || e === 'units' || e === 'alert')).toEqual([]);
      expect(got.filter((e) => e === 'incident')).toEqual([]);
      s.close();
    }
  });

  it("never shows a hospital another hospital's case (REST and socket)", async () => {
    const [a, b] = hospitals as [string, string];
    const tokenA = await login(server, 'hospital', { username: 'nurse-a', hospitalId: a });
    const tokenB = await login(server, 'hospital', { username: 'nurse-b', hospitalId: b });
    const sockB = connectSocket(server.url, tokenB);
    const seenByB: HospitalCasesEvent[] = [];
    sockB.on('hospitalCases', (e) => seenByB.push(e));
    await new Promise<void>((resolve) => sockB.on('connect', () => resolve()));
    const sockA = connectSocket(server.url, tokenA);
    const seenByA: HospitalCasesEvent[] = [];
    sockA.on('hospitalCases', (e) => seenByA.push(e));
    await new Promise<void>((resolve) => sockA.on('connect', () => resolve()));

    // A case heading to hospital A.
    const created = (await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: '0914444444', location: { lat: 10.9, lng: 106.7 }, category: 'trauma', priority: 1 })).body.incident;
    await server.db.updateTable('incidents').set({ hospital_id: a }).where('id', '=', created.id).execute();
    await server.db.updateTable('incidents').set({ state: 'transporting' }).where('id', '=', created.id).execute();
    const asA = await api(server.url, 'GET', '/api/hospital/cases', undefined, tokenA);
    expect(asA.body.map((c: { incidentId: string }) => c.incidentId)).toContain(created.id);
    const asB = await api(server.url, 'GET', '/api/hospital/cases', undefined, tokenB);
    expect(asB.body.map((c: { incidentId: string }) => c.incidentId)).not.toContain(created.id);
    // B cannot record a handover of A's case.
    expect((await api(server.url, 'POST', `/api/hospital/cases/${created.id}/handover`, undefined, tokenB)).status).toBe(404);
    expect((await api(server.url, 'POST', `/api/hospital/cases/${created.id}/handover`, undefined, tokenA)).status).toBe(204);
    // A second press (another screen, a reload) is refused, not recorded twice.
    expect((await api(server.url, 'POST', `/api/hospital/cases/${created.id}/handover`, undefined, tokenA)).status).toBe(409);
    const cases = (await api(server.url, 'GET', '/api/hospital/cases', undefined, tokenA)).body;
    expect(cases.find((c: { incidentId: string }) => c.incidentId === created.id)).toMatchObject({ arrivalConfirmedAt: null, handedOverAt: expect.any(String) });
    const timeline = (await api(server.url, 'GET', `/api/incidents/${created.id}/timeline`)).body;
    expect(timeline.at(-1)).toMatchObject({ type: 'PatientHandedOver', actor: 'hospital:nurse-a' });

    await waitFor(() => seenByA.some((e) => e.cases.some((c) => c.incidentId === created.id)), "A's socket gets its case", 10_000);
    expect(seenByA.every((e) => e.hospitalId === a)).toBe(true);
    expect(seenByB.every((e) => e.hospitalId === b && e.cases.every((c) => c.incidentId !== created.id))).toBe(true);
    sockA.close();
    sockB.close();
  });
});
