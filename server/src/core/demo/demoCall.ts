import type { Category, CreateIncidentBody, LatLng } from '@lifeline/protocol';

type Priority = 1 | 2 | 3 | 4;
import type { MapArea } from '../mapArea.ts';

/** A street of the road graph a demo call can be placed on. */
export interface DemoStreet {
  name: string;
  location: LatLng;
}

/** What callers to the 115 line report, how often, how urgent, and what the call-taker notes. */
const KINDS: readonly { category: Category; priority: Priority; weight: number; notes: readonly string[] }[] = [
  { category: 'traffic_accident', priority: 1, weight: 5, notes: ['Va chạm xe máy, một người bất tỉnh', 'Tai nạn giao thông, chảy máu nhiều ở chân', 'Xe máy đâm ô tô, nạn nhân khó thở'] },
  { category: 'cardiac', priority: 1, weight: 2, notes: ['Đau ngực dữ dội, vã mồ hôi', 'Ngừng tim, người nhà đang ép tim'] },
  { category: 'stroke', priority: 1, weight: 2, notes: ['Méo miệng, yếu nửa người bên phải', 'Đột ngột nói khó, tê tay'] },
  { category: 'respiratory', priority: 2, weight: 2, notes: ['Khó thở, tiền sử hen', 'Trẻ nhỏ sốt cao, thở nhanh'] },
  { category: 'fall', priority: 3, weight: 3, notes: ['Cụ bà ngã cầu thang, đau hông', 'Ngã xe đạp, nghi gãy tay'] },
  { category: 'unconscious', priority: 1, weight: 1, notes: ['Người đàn ông ngất trên vỉa hè'] },
  { category: 'obstetric', priority: 2, weight: 1, notes: ['Sản phụ chuyển dạ, vỡ ối'] },
  { category: 'burn', priority: 2, weight: 1, notes: ['Bỏng nước sôi ở tay và ngực'] },
  { category: 'poisoning', priority: 2, weight: 1, notes: ['Nghi ngộ độc thực phẩm, nôn nhiều'] },
  { category: 'other', priority: 4, weight: 1, notes: ['Sốt cao ba ngày, cần chuyển viện'] },
];
const TOTAL_WEIGHT = KINDS.reduce((s, k) => s + k.weight, 0);

/** Addresses for a map without a road graph: around Thủ Dầu Một (the default centre). */
const FALLBACK_STREETS = ['Đại lộ Bình Dương', 'Đường Yersin', 'Đường Cách Mạng Tháng Tám', 'Đường Phú Lợi', 'Đường Huỳnh Văn Lũy', 'Đường 30 Tháng 4'];

const pick = <T>(xs: readonly T[], rng: () => number): T => xs[Math.floor(rng() * xs.length)]!;

/**
 * One realistic demo call near the map centre: a Vietnamese category, note and street address (a
 * named street of the road graph when there is one, the call placed on it). Demo data only: the
 * phone number is a made-up 09x number, no real person.
 */
export function demoCall(area: MapArea, streets: readonly DemoStreet[], rng: () => number): CreateIncidentBody {
  let r = rng() * TOTAL_WEIGHT;
  const kind = KINDS.find((k) => (r -= k.weight) < 0) ?? KINDS[0]!;
  const houseNumber = 1 + Math.floor(rng() * 200);
  let location: LatLng;
  let street: string;
  if (streets.length > 0) {
    const s = pick(streets, rng);
    street = s.name;
    location = s.location;
  } else {
    street = pick(FALLBACK_STREETS, rng);
    // Uniform in the disc of radius/2 around the centre (degrees ≈ km / 111).
    const d = (Math.sqrt(rng()) * area.radiusKm) / 2 / 111.2;
    const a = rng() * 2 * Math.PI;
    location = { lat: area.center.lat + d * Math.cos(a), lng: area.center.lng + (d * Math.sin(a)) / Math.cos((area.center.lat * Math.PI) / 180) };
  }
  return {
    line: '115',
    channel: 'phone',
    callerPhone: `09${String(Math.floor(rng() * 1e8)).padStart(8, '0')}`,
    location: { lat: Number(location.lat.toFixed(6)), lng: Number(location.lng.toFixed(6)) },
    address: `Số ${houseNumber} ${street}`,
    category: kind.category,
    priority: kind.priority,
    notes: `[demo] ${pick(kind.notes, rng)}`,
  };
}

/** Seconds to the next call of a Poisson stream of `perHour` calls an hour. */
export const nextCallInSec = (perHour: number, rng: () => number): number => (-Math.log(1 - rng()) * 3600) / perHour;
