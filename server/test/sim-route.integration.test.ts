import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimRun } from '@lifeline/protocol';
import type { LifelineServer } from '../src/server.ts';
import { api, externalUnavailable, login, TestEnv, waitFor } from './helpers.ts';

const skip = await externalUnavailable();

describe.skipIf(skip)('POST /api/sim/runs (supervisor simulation, child process)', () => {
  const env = new TestEnv('external');
  let server: LifelineServer;
  let supervisor: string;
  let dispatcher: string;
  const from = new Date(Date.now() - 3600_000).toISOString();
  const to = () => new Date(Date.now() + 60_000).toISOString();

  beforeAll(async () => {
    await env.setup();
    server = await env.start();
    supervisor = await login(server, 'supervisor');
    dispatcher = await login(server, 'dispatcher');
    await server.db.insertInto('stations').values([
      { id: 'SIM-S1', name: 'Trạm 1', lat: 10.98, lng: 106.65 },
      { id: 'SIM-S2', name: 'Trạm 2', lat: 11.0, lng: 106.68 },
    ]).execute();
    await server.db.insertInto('vehicles').values([
      { id: 'SIM-A1', call_sign: 'A1', station_id: 'SIM-S1' },
      { id: 'SIM-B1', call_sign: 'B1', station_id: 'SIM-S2' },
    ]).execute();
    for (let i = 0; i < 6; i++) {
      const r = await api(server.url, 'POST', '/api/incidents', { line: '115', callerPhone: `091000000${i}`, location: { lat: 10.97 + i * 0.01, lng: 106.64 + i * 0.01 }, category: 'fall', priority: 1 + (i % 3) }, dispatcher);
      expect(r.status).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  const body = () => ({ source: 'window', from, to: to(), policies: ['closest-idle', 'coverage-aware+move-up'], replications: 2 });

  it('is for supervisors: a dispatcher is refused, nothing starts', async () => {
    expect((await api(server.url, 'POST', '/api/sim/runs', body(), dispatcher)).status).toBe(403);
    expect((await api(server.url, 'POST', '/api/sim/runs', body(), null)).status).toBe(401);
  });

  it('rejects a bad request with 400 (unknown policy, window over 31 days, unknown field)', async () => {
    expect((await api(server.url, 'POST', '/api/sim/runs', { ...body(), policies: ['fastest'] }, supervisor)).status).toBe(400);
    expect((await api(server.url, 'POST', '/api/sim/runs', { ...body(), from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }, supervisor)).body.code).toBe('BAD_REQUEST');
    expect((await api(server.url, 'POST', '/api/sim/runs', { ...body(), extra: 1 }, supervisor)).status).toBe(400);
  });

  it('runs the window in a child process, reports progress, returns results and a CSV', async () => {
    const started = await api<SimRun>(server.url, 'POST', '/api/sim/runs', body(), supervisor);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ state: 'running', progress: { done: 0, total: 4 }, calls: 6 });
    // One at a time: the child takes a moment to start, so a second request meets the first.
    expect((await api(server.url, 'POST', '/api/sim/runs', body(), supervisor)).body.code).toBe('SIM_BUSY');
    // The live server answers while the simulation runs.
    expect((await api(server.url, 'GET', '/api/vehicles', undefined, dispatcher)).status).toBe(200);
    const done = await waitFor(async () => {
      const r = await api<SimRun>(server.url, 'GET', `/api/sim/runs/${started.body.id}`, undefined, supervisor);
      return r.body.state !== 'running' ? r.body : null;
    }, 'simulation finished', 60_000, 100);
    expect(done.error).toBeUndefined();
    expect(done.state).toBe('done');
    expect(done.progress).toEqual({ done: 4, total: 4 });
    const policies = (done.result as { policies: { policy: string; calls: number; replications: number }[] }).policies;
    expect(policies.map((p) => [p.policy, p.replications, p.calls])).toEqual([
      ['closest-idle', 2, 12],
      ['coverage-aware+move-up', 2, 12],
    ]);
    const csv = await fetch(`${server.url}/api/sim/runs/${started.body.id}/results.csv`, { headers: { authorization: `Bearer ${supervisor}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]!.startsWith('policy,replications,calls,mean_response_s')).toBe(true);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['closest-idle', 'coverage-aware+move-up']);
  }, 90_000);

  it('404 for an unknown run', async () => {
    expect((await api(server.url, 'GET', '/api/sim/runs/00000000-0000-4000-8000-000000000000', undefined, supervisor)).status).toBe(404);
  });
});
