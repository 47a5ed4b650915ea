import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vehicleTopic } from '@lifeline/protocol';
import type { MqttClient } from 'mqtt';
import type { LifelineServer } from '../src/server.ts';
import { api, connectMqtt, TestEnv, waitFor } from './helpers.ts';

/**
 * Randomized concurrent dispatcher actions (fast-check): assign, reassign, cancel and close on a
 * few incidents and units at once. Before: 27 of 1,200 answered 500 "deadlock detected", and the
 * live fleet kept a unit dispatched to a cancelled incident while the database had it available.
 * Invariants: no 5xx; no unit on two active incidents; live fleet = database for every unit.
 * Bounded for CI: RACE_SEEDS seeds × RACE_RUNS runs × up to 60 operations (≈ 300 per seed).
 */
const SEEDS = Number(process.env.RACE_SEEDS ?? 2);
const RUNS = Number(process.env.RACE_RUNS ?? 5);
const UNITS = ['RC-1', 'RC-2', 'RC-3', 'RC-4'];
const INCIDENTS = 5;

type Op = { kind: 'assign' | 'reassign'; incident: number; unit: number } | { kind: 'cancel' | 'close'; incident: number } | { kind: 'create'; incident: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('assign' as const, 'reassign' as const), incident: fc.nat(INCIDENTS - 1), unit: fc.nat(UNITS.length - 1) }),
  fc.record({ kind: fc.constantFrom('cancel' as const, 'close' as const), incident: fc.nat(INCIDENTS - 1) }),
  fc.record({ kind: fc.constant('create' as const), incident: fc.nat(INCIDENTS - 1) }),
);

describe('concurrent assign / reassign / cancel / close (fast-check)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let agent: MqttClient;
  const call = { line: '115', callerPhone: '0903000000', location: { lat: 10.98, lng: 106.65 }, category: 'trauma', priority: 2 };
  beforeAll(async () => {
    await env.setup();
    server = await env.start({ ACK_TIMEOUT_SEC: '3600' });
    agent = await connectMqtt(server.mqttUrl);
    for (const u of UNITS) {
      await agent.publishAsync(vehicleTopic(server.config.mqttPrefix, u, 'position'), JSON.stringify({ seq: 1, ts: Date.now(), lat: 10.98, lon: 106.65 }), { qos: 1 });
      await agent.publishAsync(vehicleTopic(server.config.mqttPrefix, u, 'status'), JSON.stringify({ status: 'available', ts: Date.now() }), { qos: 1 });
    }
    await waitFor(() => UNITS.every((u) => server.fleet.index.get(u)?.status === 'available'), 'units available');
  });
  afterAll(async () => {
    await agent?.endAsync();
    await server?.stop();
    await env.teardown();
  });

  const newIncident = async () => (await api(server.url, 'POST', '/api/incidents', call)).body.incident.id as string;

  async function run(ops: Op[]): Promise<void> {
    const incidents = await Promise.all(Array.from({ length: INCIDENTS }, newIncident));
    const statuses = await Promise.all(
      ops.map(async (op) => {
        const id = incidents[op.incident]!;
        if (op.kind === 'create') return (await api(server.url, 'POST', '/api/incidents', call)).status;
        if (op.kind === 'assign' || op.kind === 'reassign') return (await api(server.url, 'POST', `/api/incidents/${id}/${op.kind}`, { vehicleId: UNITS[op.unit] })).status;
        return (await api(server.url, 'POST', `/api/incidents/${id}/${op.kind}`, {})).status;
      }),
    );
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    // No unit on two active incidents.
    const doubled = await server.db
      .selectFrom('incidents')
      .select((eb) => ['vehicle_id', eb.fn.countAll<number>().as('n')])
      .where('state', 'not in', ['closed', 'cancelled'])
      .where('vehicle_id', 'is not', null)
      .groupBy('vehicle_id')
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    expect(doubled).toEqual([]);
    // The live fleet says what the database says.
    const rows = await server.db.selectFrom('vehicles').select(['id', 'status', 'incident_id']).where('id', 'in', UNITS).execute();
    for (const r of rows) {
      const live = server.fleet.index.get(r.id);
      expect({ id: r.id, status: live?.status, incidentId: server.fleet.view(r.id)?.incidentId ?? null }).toEqual({ id: r.id, status: r.status, incidentId: r.incident_id });
    }
    // Free every unit for the next run.
    for (const id of incidents) await api(server.url, 'POST', `/api/incidents/${id}/cancel`, {});
    await server.db.selectFrom('incidents').select('id').where('state', 'not in', ['closed', 'cancelled']).execute().then((open) => Promise.all(open.map((o) => api(server.url, 'POST', `/api/incidents/${o.id}/cancel`, {}))));
  }

  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`seed ${seed}: no 5xx, no unit on two calls, live fleet = database`, async () => {
      await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 20, maxLength: 60 }), run), { seed, numRuns: RUNS, endOnFailure: true });
    }, 180_000);
  }
});
