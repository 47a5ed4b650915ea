import type { Line1022Import } from '@lifeline/protocol';
import type { Db } from './db.ts';
import { importLine1022 } from './line1022Import.ts';

/** [lng, lat] rectangle as a closed GeoJSON ring. */
const box = (west: number, south: number, east: number, north: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [west, south],
      [east, south],
      [east, north],
      [west, north],
      [west, south],
    ] as [number, number][],
  ],
});

/**
 * Demo categories and agencies of Bình Dương's 1022 line. The agency names are real kinds of
 * "đầu mối"; the areas are rough rectangles drawn by hand around Thủ Dầu Một and Thuận An, not
 * administrative boundaries — import the province's own with POST /api/line1022/import.
 */
export const DEMO_LINE1022: Line1022Import = {
  agencies: [
    { id: 'so-gtvt', name: 'Sở Giao thông Vận tải', area: null, categories: { traffic: null } },
    { id: 'so-tnmt', name: 'Sở Tài nguyên và Môi trường', area: null, categories: { environment: null } },
    { id: 'cong-an-tinh', name: 'Công an tỉnh Bình Dương', area: null, categories: { public_order: 24 } },
    { id: 'dien-luc', name: 'Công ty Điện lực Bình Dương', area: null, categories: { infrastructure: 48 } },
    {
      id: 'ubnd-thu-dau-mot',
      name: 'UBND TP. Thủ Dầu Một',
      area: box(106.62, 10.94, 106.72, 11.06),
      categories: { traffic: 24, environment: 48, urban_order: 48, infrastructure: 72 },
    },
    { id: 'ubnd-thuan-an', name: 'UBND TP. Thuận An', area: box(106.66, 10.86, 106.76, 10.94), categories: { urban_order: 48, environment: 48 } },
  ],
  categories: [
    { id: 'traffic', nameVi: 'Giao thông', nameEn: 'Traffic', defaultAgencyId: 'so-gtvt', deadlineHours: 48 },
    { id: 'environment', nameVi: 'Môi trường', nameEn: 'Environment', defaultAgencyId: 'so-tnmt', deadlineHours: 72 },
    { id: 'public_order', nameVi: 'An ninh trật tự', nameEn: 'Public order and security', defaultAgencyId: 'cong-an-tinh', deadlineHours: 24 },
    { id: 'infrastructure', nameVi: 'Hạ tầng, điện nước', nameEn: 'Infrastructure and utilities', defaultAgencyId: 'dien-luc', deadlineHours: 72 },
    { id: 'urban_order', nameVi: 'Trật tự đô thị', nameEn: 'Urban order', defaultAgencyId: null, deadlineHours: 72 },
    { id: 'other', nameVi: 'Khác', nameEn: 'Other', defaultAgencyId: null, deadlineHours: 96 },
  ],
};

/** Seeds the demo categories and agencies when there are no categories yet. */
export async function seedLine1022(db: Db): Promise<boolean> {
  const any = await db.selectFrom('report_categories').select('id').limit(1).executeTakeFirst();
  if (any) return false;
  const r = await importLine1022(db, DEMO_LINE1022);
  if (!r.ok) throw new Error(`demo 1022 data refused: ${r.message}`);
  return true;
}
