import { readFile } from 'node:fs/promises';
import type { LatLng } from '@lifeline/protocol';
import { haversineM } from '../../core/geo.ts';
import { parseOsmHospitals } from '../../core/hospitalsImport.ts';
import type { MapArea } from '../../core/mapArea.ts';
import type { Db } from './db.ts';
import { upsertHospitals } from './vehicles.ts';

/**
 * Demo hospitals around Thủ Dầu Một, Bình Dương, for the embedded demo only. Names are real
 * hospitals of the province; coordinates are approximate (placed by hand, not surveyed) and must
 * not be used operationally — load your own with real positions.
 */
export const DEMO_HOSPITALS = [
  { id: 'bd-bvdk-tinh', name: 'Bệnh viện Đa khoa tỉnh Bình Dương', lat: 10.9899, lng: 106.6615 },
  { id: 'bd-becamex', name: 'Bệnh viện Quốc tế Becamex', lat: 10.9538, lng: 106.6962 },
  { id: 'bd-van-phuc-1', name: 'Bệnh viện Đa khoa Vạn Phúc 1', lat: 10.9838, lng: 106.6529 },
  { id: 'bd-my-phuoc', name: 'Bệnh viện Đa khoa Mỹ Phước', lat: 11.1143, lng: 106.6028 },
  { id: 'bd-ttyt-thuan-an', name: 'Trung tâm Y tế Thuận An', lat: 10.9106, lng: 106.7065 },
] as const;

/** The real Hà Nội hospitals (OpenStreetMap, ODbL; fixtures/hospitals/SOURCES.md) the Hà Nội demo uses. */
export const HANOI_HOSPITALS_FILE = new URL('../../../../fixtures/hospitals/hanoi_osm_amenity_hospital_overpass_2024-09-27.json', import.meta.url);

/** A demo area: where it is, and what the demo seeds there. */
interface DemoArea {
  name: string;
  center: LatLng;
  /** Prefix of the simulated units' ids there. */
  unitPrefix: string;
  /** The hospitals to seed for a map area within it. */
  hospitals(area: MapArea): Promise<{ id: string; name: string; location: LatLng }[]>;
  /** Made-up ambulance stations (not real ones), so the supervisor's simulation has bases on the demo. */
  stations: readonly { id: string; name: string; lat: number; lng: number }[];
}

/** Hospitals this far beyond the map area's radius are still worth seeding (a patient may go a little farther). */
const HOSPITAL_MARGIN_KM = 3;

const DEMO_AREAS: readonly DemoArea[] = [
  {
    name: 'Bình Dương',
    center: { lat: 10.98, lng: 106.65 },
    unitPrefix: 'BD',
    hospitals: async () => DEMO_HOSPITALS.map((h) => ({ id: h.id, name: h.name, location: { lat: h.lat, lng: h.lng } })),
    stations: [
      { id: 'bd-st-tdm', name: 'Trạm cấp cứu Thủ Dầu Một (demo)', lat: 10.9805, lng: 106.6575 },
      { id: 'bd-st-thuan-an', name: 'Trạm cấp cứu Thuận An (demo)', lat: 10.915, lng: 106.7 },
      { id: 'bd-st-di-an', name: 'Trạm cấp cứu Dĩ An (demo)', lat: 10.905, lng: 106.765 },
      { id: 'bd-st-ben-cat', name: 'Trạm cấp cứu Bến Cát (demo)', lat: 11.11, lng: 106.6 },
    ],
  },
  {
    name: 'Hà Nội',
    center: { lat: 21.0285, lng: 105.8542 },
    unitPrefix: 'HN',
    hospitals: async (area) => {
      const all = parseOsmHospitals(JSON.parse(await readFile(HANOI_HOSPITALS_FILE, 'utf8'))).hospitals;
      const reachM = (area.radiusKm + HOSPITAL_MARGIN_KM) * 1000;
      return all.filter((h) => haversineM(area.center, h.location) <= reachM).map((h) => ({ id: h.id, name: h.name, location: h.location }));
    },
    stations: [
      { id: 'hn-st-o-cho-dua', name: 'Trạm cấp cứu Ô Chợ Dừa (demo)', lat: 21.0205, lng: 105.8275 },
      { id: 'hn-st-kham-thien', name: 'Trạm cấp cứu Khâm Thiên (demo)', lat: 21.0195, lng: 105.8395 },
      { id: 'hn-st-lang-ha', name: 'Trạm cấp cứu Láng Hạ (demo)', lat: 21.0125, lng: 105.8175 },
    ],
  },
];

/** The demo seeds only for a map centred this close to one of its areas, metres. */
const DEMO_AREA_WITHIN_M = 100_000;

/** The demo area the map is in, or null when the map is elsewhere (then nothing is seeded). */
export function demoAreaOf(area: MapArea): DemoArea | null {
  return DEMO_AREAS.find((d) => haversineM(d.center, area.center) <= DEMO_AREA_WITHIN_M) ?? null;
}

/**
 * Inserts the demo hospitals of the map's area when there are none: the Bình Dương list, or the
 * real Hà Nội hospitals near the map. A map elsewhere gets none — seeding Bình Dương's would send
 * patients across the world. Returns how many were added.
 */
export async function seedDemo(db: Db, area: MapArea): Promise<number> {
  const demo = demoAreaOf(area);
  if (!demo) return 0;
  const stations = await db.selectFrom('stations').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (Number(stations.n) === 0) await db.insertInto('stations').values([...demo.stations]).onConflict((oc) => oc.column('id').doNothing()).execute();
  const existing = await db.selectFrom('hospitals').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (Number(existing.n) > 0) return 0;
  const rows = (await demo.hospitals(area)).map((h) => ({ ...h, capabilities: ['emergency'] }));
  return (await upsertHospitals(db, rows)).inserted;
}
