import type { Db } from './db.ts';

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

/**
 * Demo ambulance stations (placed by hand near the demo hospitals; not real stations), so the
 * supervisor's simulation has bases to plan with on the demo.
 */
export const DEMO_STATIONS = [
  { id: 'bd-st-tdm', name: 'Trạm cấp cứu Thủ Dầu Một (demo)', lat: 10.9805, lng: 106.6575 },
  { id: 'bd-st-thuan-an', name: 'Trạm cấp cứu Thuận An (demo)', lat: 10.915, lng: 106.7 },
  { id: 'bd-st-di-an', name: 'Trạm cấp cứu Dĩ An (demo)', lat: 10.905, lng: 106.765 },
  { id: 'bd-st-ben-cat', name: 'Trạm cấp cứu Bến Cát (demo)', lat: 11.11, lng: 106.6 },
] as const;

/** Inserts the demo hospitals when there are none (and the demo stations when there are none). Returns how many hospitals were added. */
export async function seedDemo(db: Db): Promise<number> {
  const stations = await db.selectFrom('stations').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (Number(stations.n) === 0) await db.insertInto('stations').values([...DEMO_STATIONS]).onConflict((oc) => oc.column('id').doNothing()).execute();
  const existing = await db.selectFrom('hospitals').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (Number(existing.n) > 0) return 0;
  await db
    .insertInto('hospitals')
    .values(DEMO_HOSPITALS.map((h) => ({ ...h, capabilities: ['emergency'] })))
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return DEMO_HOSPITALS.length;
}
