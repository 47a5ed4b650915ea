/**
 * `GET /api/geocode` on a real server (embedded PostgreSQL and broker) started with the Monaco
 * road graph, and on one started without a graph (hospitals only).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeocodeResult } from '@lifeline/protocol';
import { importRoadGraph, saveRoadGraph } from '../src/adapters/routing/index.ts';
import { upsertHospitals } from '../src/adapters/store/vehicles.ts';
import type { LifelineServer } from '../src/server.ts';
import { api, login, TestEnv } from './helpers.ts';

const OSM = path.resolve(fileURLToPath(new URL('../..', import.meta.url)), 'fixtures/osm/monaco.osm.pbf');

describe('GET /api/geocode (Monaco graph, embedded)', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;

  beforeAll(async () => {
    await env.setup();
    const graphFile = path.join(env.dataDir, 'monaco.llrg');
    await saveRoadGraph(graphFile, await importRoadGraph(OSM));
    server = await env.start({ OSM_GRAPH: graphFile });
    // An imported hospital reaches the server's list on the next hospital status update.
    await upsertHospitals(server.db, [{ id: 'osm-n1', name: 'Centre Hospitalier Princesse Grace', location: { lat: 43.7278, lng: 7.4124 }, capabilities: [] }]);
    const staff = await login(server, 'hospital', { hospitalId: 'osm-n1' });
    expect((await api(server.url, 'POST', '/api/hospital/status', { edCapacity: 4 }, staff)).status).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  it('finds a street typed without accents or case, with a point on it and its box', async () => {
    const r = await api<GeocodeResult[]>(server.url, 'GET', `/api/geocode?q=${encodeURIComponent('AVENUE DES SPELUG')}&near=43.7347,7.4206`);
    expect(r.status).toBe(200);
    const top = r.body[0]!;
    expect(top).toMatchObject({ name: 'Avenue des Spélugues', kind: 'street', roadClass: 'residential' });
    const [w, s, e, n] = top.bbox!;
    expect(top.location.lng).toBeGreaterThanOrEqual(w);
    expect(top.location.lng).toBeLessThanOrEqual(e);
    expect(top.location.lat).toBeGreaterThanOrEqual(s);
    expect(top.location.lat).toBeLessThanOrEqual(n);
    expect(r.body.length).toBeLessThanOrEqual(10);
  });

  it('ranks the main road first and caps the list at 10', async () => {
    const r = await api<GeocodeResult[]>(server.url, 'GET', '/api/geocode?q=boulevard');
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(10);
    expect(r.body[0]!.roadClass).toBe('primary');
    const albert = await api<GeocodeResult[]>(server.url, 'GET', '/api/geocode?q=albert%201er');
    expect(albert.body.map((x) => x.name).slice(0, 2)).toEqual(['Boulevard Albert 1er', 'Quai Albert 1er']);
  });

  it('finds hospitals by name (no box, no class)', async () => {
    const r = await api<GeocodeResult[]>(server.url, 'GET', '/api/geocode?q=hospitalier%20grace');
    expect(r.body).toEqual([{ name: 'Centre Hospitalier Princesse Grace', kind: 'hospital', location: { lat: 43.7278, lng: 7.4124 } }]);
  });

  it.each([
    ['/api/geocode', 'no q'],
    ['/api/geocode?q=', 'empty q'],
    ['/api/geocode?q=%20%2C%20', 'q with no letter or digit'],
    [`/api/geocode?q=${'a'.repeat(101)}`, 'q over 100 characters'],
    ['/api/geocode?q=yersin&near=abc', 'near not lat,lng'],
    ['/api/geocode?q=yersin&near=95,7.4', 'near out of range'],
    ['/api/geocode?q=yersin&limit=3', 'unknown parameter'],
  ])('400 for %s (%s)', async (p) => {
    const r = await api(server.url, 'GET', p);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ code: 'BAD_REQUEST', message: expect.any(String) });
  });

  it('is for dispatchers: 401 without a session, 403 for hospital staff, 200 for a supervisor', async () => {
    expect((await api(server.url, 'GET', '/api/geocode?q=port', undefined, null)).status).toBe(401);
    expect((await api(server.url, 'GET', '/api/geocode?q=port', undefined, await login(server, 'hospital'))).status).toBe(403);
    expect((await api(server.url, 'GET', '/api/geocode?q=port', undefined, await login(server, 'supervisor'))).status).toBe(200);
  });
});

describe('GET /api/geocode without a road graph', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  beforeAll(async () => {
    await env.setup();
    server = await env.start();
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  it('finds no street but still the (demo) hospitals', async () => {
    const hospitals = await api<{ name: string }[]>(server.url, 'GET', '/api/hospitals');
    const name = hospitals.body[0]!.name;
    const word = name.split(' ').at(-1)!;
    const r = await api<GeocodeResult[]>(server.url, 'GET', `/api/geocode?q=${encodeURIComponent(word)}`);
    expect(r.status).toBe(200);
    expect(r.body.length).toBeGreaterThan(0);
    expect(r.body.every((x) => x.kind === 'hospital')).toBe(true);
    expect(r.body.map((x) => x.name)).toContain(name);
    expect((await api<GeocodeResult[]>(server.url, 'GET', '/api/geocode?q=spelugues')).body).toEqual([]);
  });
});
