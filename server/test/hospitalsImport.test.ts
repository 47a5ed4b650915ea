import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hospital } from '@lifeline/protocol';
import { haversineM } from '../src/core/geo.ts';
import { HospitalImportError, osmId, parseOsmHospitals } from '../src/core/hospitalsImport.ts';
import { api, externalUnavailable, TestEnv } from './helpers.ts';

const repoRoot = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const DATA = path.resolve(repoRoot, 'fixtures/hospitals');
const MONACO = path.join(DATA, 'monaco_osm_hospitals_fire_stations_2016-03-05.geojson');
const HANOI = path.join(DATA, 'hanoi_osm_amenity_hospital_overpass_2024-09-27.json');
const CLI = path.join(repoRoot, 'server/src/cli/importHospitals.ts');
const readJson = async (f: string): Promise<unknown> => JSON.parse(await readFile(f, 'utf8'));

describe('OSM hospital import (real exports in fixtures/hospitals)', () => {
  it('Monaco GeoJSON: keeps named hospitals with an ED, skips fire stations, emergency=no and the unnamed', async () => {
    const r = parseOsmHospitals(await readJson(MONACO));
    expect(r.format).toBe('geojson');
    expect(r.hospitals.map((h) => h.name).sort()).toEqual(['Centre Cardio Thoracique de Monaco', 'Centre Hospitalier de Menton - La Palmosa']);
    // 8 features: 3 fire stations; the sports institute and the mistagged pharmacy say emergency=no; one hospital has no name.
    expect(r.skipped).toEqual({ not_hospital: 3, no_emergency: 2, health_post: 0, unnamed: 1, no_location: 0 });
    const cct = r.hospitals.find((h) => h.name.startsWith('Centre Cardio'))!;
    expect(cct).toEqual({ id: 'osm-n1794111144', name: 'Centre Cardio Thoracique de Monaco', location: { lat: 43.7376303, lng: 7.4248591 }, emergencyTagged: true });
  });

  it('Hà Nội Overpass JSON: nodes by lat/lon, ways and relations by their centre; health posts and clinics without an ED skipped', async () => {
    const doc = (await readJson(HANOI)) as { elements: { type: string; id: number; tags: Record<string, string>; center?: { lat: number; lon: number } }[] };
    const r = parseOsmHospitals(doc);
    expect(r.format).toBe('overpass');
    const total = r.hospitals.length + Object.values(r.skipped).reduce((a, b) => a + b, 0);
    expect(total).toBe(doc.elements.length);
    expect(r.skipped.no_emergency).toBe(3);
    expect(r.skipped.health_post).toBeGreaterThanOrEqual(10);
    expect(r.hospitals.some((h) => /^trạm y tế/i.test(h.name))).toBe(false);
    // A way: located at its Overpass `center`.
    const way = doc.elements.find((e) => e.type === 'way' && e.center && r.hospitals.some((h) => h.id === `osm-w${e.id}`))!;
    expect(r.hospitals.find((h) => h.id === `osm-w${way.id}`)!.location).toEqual({ lat: way.center!.lat, lng: way.center!.lon });
    expect(r.hospitals.find((h) => h.id === 'osm-n2874225019')).toMatchObject({ name: 'Bệnh Viện Đa Khoa Thăng Long', emergencyTagged: true });
    // Every kept hospital sits exactly where its element says (node lat/lon, or way/relation centre).
    const byId = new Map(doc.elements.map((e) => [`osm-${e.type[0]}${e.id}`, e as typeof e & { lat?: number; lon?: number }]));
    for (const h of r.hospitals) {
      const e = byId.get(h.id)!;
      expect(h.location).toEqual(e.type === 'node' ? { lat: e.lat, lng: e.lon } : { lat: e.center!.lat, lng: e.center!.lon });
      expect(h.name).toBe(e.tags.name!.trim());
    }
    expect(new Set(r.hospitals.map((h) => h.id)).size).toBe(r.hospitals.length);
  });

  it('a building polygon is placed at the mean of its ring; bad coordinates are skipped, not imported at 0,0', () => {
    const ring = [[7.0, 43.0], [7.002, 43.0], [7.002, 43.002], [7.0, 43.002], [7.0, 43.0]];
    const r = parseOsmHospitals({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', id: 'w42', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { amenity: 'hospital', name: 'A' } },
        { type: 'Feature', id: 'n1', geometry: { type: 'Point', coordinates: [0, 0] }, properties: { amenity: 'hospital', name: 'B' } },
        { type: 'Feature', id: 'n2', geometry: { type: 'Point', coordinates: ['7', 43] }, properties: { amenity: 'hospital', name: 'C' } },
        { type: 'Feature', id: 'n3', geometry: null, properties: { amenity: 'hospital', name: 'D' } },
        { type: 'Feature', id: 'n4', geometry: { type: 'Point', coordinates: [7, 43] }, properties: { healthcare: 'clinic', amenity: 'hospital', name: 'E' } },
        'junk',
      ],
    });
    expect(r.hospitals).toHaveLength(1);
    expect(r.hospitals[0]).toMatchObject({ id: 'osm-w42', name: 'A', emergencyTagged: false });
    expect(r.hospitals[0]!.location.lat).toBeCloseTo(43.001, 9);
    expect(r.hospitals[0]!.location.lng).toBeCloseTo(7.001, 9);
    expect(r.skipped).toMatchObject({ no_location: 3, not_hospital: 1 });
  });

  it.each([
    ['n25237989', 'osm-n25237989'],
    ['node/5', 'osm-n5'],
    ['way/7', 'osm-w7'],
    ['relation/9', 'osm-r9'],
    ['x1', null],
    [null, null],
  ])('OSM id %s → %s', (raw, id) => expect(osmId(raw)).toBe(id));

  it('rejects a document that is neither GeoJSON nor Overpass JSON', () => {
    expect(() => parseOsmHospitals({ hello: 1 })).toThrow(HospitalImportError);
    expect(() => parseOsmHospitals([1, 2])).toThrow(HospitalImportError);
    expect(() => parseOsmHospitals(null)).toThrow(HospitalImportError);
  });
});

const external = await externalUnavailable();

describe.skipIf(external !== null)('import-hospitals CLI against the machine PostgreSQL', () => {
  const env = new TestEnv('external');
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: env.config().databaseUrl!, LOG_LEVEL: 'silent' },
    });

  beforeAll(() => env.setup());
  afterAll(() => env.teardown());

  it('imports, re-imports without duplicates and keeps the ED status; the server then offers them', async () => {
    const first = await run(MONACO);
    expect(first.stdout).toContain('2 hospitals; skipped 3 not hospital, 2 no emergency, 1 unnamed');
    expect(first.stdout).toContain('hospitals: 2 added, 0 updated');
    const server = await env.start({ SEED_DEMO: '0' });
    try {
      await server.db.updateTable('hospitals').set({ ed_capacity: 4, diversion: true }).where('id', '=', 'osm-n1794111144').execute();
      const again = await run(MONACO);
      expect(again.stdout).toContain('hospitals: 0 added, 2 updated');
      const rows = await server.db.selectFrom('hospitals').select(['id', 'ed_capacity', 'diversion']).orderBy('id').execute();
      expect(rows).toEqual([
        { id: 'osm-n1794111144', ed_capacity: 4, diversion: true },
        { id: 'osm-n2169430533', ed_capacity: null, diversion: false },
      ]);
      const listed = await api<Hospital[]>(server.url, 'GET', '/api/hospitals');
      expect(listed.body.map((h) => h.name).sort()).toEqual(['Centre Cardio Thoracique de Monaco', 'Centre Hospitalier de Menton - La Palmosa']);
    } finally {
      await server.stop();
    }
  });

  it('a missing or malformed file: a clear message, exit 1, nothing written', async () => {
    const missing = await run('/nonexistent.geojson').catch((e: { code: number; stderr: string }) => e);
    expect(missing).toMatchObject({ code: 1 });
    expect((missing as { stderr: string }).stderr).toContain('no such file');
    const notOsm = await run(path.join(repoRoot, 'package.json')).catch((e: { code: number; stderr: string }) => e);
    expect(notOsm).toMatchObject({ code: 1 });
    expect((notOsm as { stderr: string }).stderr).toContain('not an OSM hospital export');
  });
});

describe.skipIf(external !== null)('demo hospitals follow the map', () => {
  const seededFor = async (center: string) => {
    const env = new TestEnv('external');
    await env.setup();
    const server = await env.start({ MAP_CENTER: center });
    try {
      return { hospitals: (await api<Hospital[]>(server.url, 'GET', '/api/hospitals')).body, area: server.mapArea };
    } finally {
      await server.stop();
      await env.teardown();
    }
  };

  it('are seeded for the Bình Dương demo, not for a map centred elsewhere', async () => {
    expect((await seededFor('43.7384,7.4246')).hospitals).toHaveLength(0);
    expect((await seededFor('')).hospitals.map((h) => h.id).every((id) => id.startsWith('bd-'))).toBe(true);
    expect((await seededFor('')).hospitals).toHaveLength(5);
  });

  it('are the real Hà Nội hospitals (OSM fixture) near a map in Hà Nội, and no Bình Dương ones', async () => {
    const { hospitals, area } = await seededFor('21.0212,105.8258'); // Ô Chợ Dừa, Đống Đa
    expect(hospitals.length).toBeGreaterThan(5);
    expect(hospitals.every((h) => h.id.startsWith('osm-'))).toBe(true);
    expect(hospitals.map((h) => h.name)).toContain('Bệnh viện Đa khoa Đống Đa');
    const farthestKm = Math.max(...hospitals.map((h) => haversineM(area.center, h.location) / 1000));
    expect(farthestKm).toBeLessThanOrEqual(area.radiusKm + 3);
  });
});
