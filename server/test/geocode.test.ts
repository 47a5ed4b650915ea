/**
 * Street and hospital search (core/geocode): folding, matching and ranking, table-style, on
 * hand-made places and on the real Monaco and Hà Nội (Ô Chợ Dừa) road graphs.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Hospital } from '@lifeline/protocol';
import { importRoadGraph } from '../src/adapters/routing/graphFile.ts';
import { Geocoder } from '../src/core/geocode/geocoder.ts';
import { foldText } from '../src/core/geocode/normalize.ts';
import { foldQuery, MATCH, PlaceIndex, type Place } from '../src/core/geocode/placeIndex.ts';
import { buildStreetIndex } from '../src/core/geocode/streetIndex.ts';
import { segmentCount, segmentName, type RoadGraph } from '../src/core/routing/graph.ts';
import { E7, haversineDegM } from '../src/core/routing/spherical.ts';

const osmDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/osm');

describe('foldText', () => {
  it.each([
    ['Đường Yersin', 'duong yersin'],
    ['ĐƯỜNG YERSIN', 'duong yersin'],
    ['đường   yersin,  Phú Cường', 'duong yersin phu cuong'],
    ['Phố Láng Hạ', 'pho lang ha'],
    ['Ngách 59/12 Hoàng Cầu', 'ngach 59 12 hoang cau'],
    ['Bệnh viện Đa khoa tỉnh Bình Dương', 'benh vien da khoa tinh binh duong'],
    ['Boulevard Albert 1er', 'boulevard albert 1er'],
    ['Avenue des Spélugues', 'avenue des spelugues'],
    ["Avenue du Cap d'Ail", 'avenue du cap d ail'],
    ['  ,. ', ''],
  ])('%s → %s', (input, folded) => expect(foldText(input)).toBe(folded));
});

const place = (name: string, importance: number, lat = 10.98, lng = 106.65): Place => ({ name, kind: 'street', location: { lat, lng }, importance });

describe('PlaceIndex: matching and ranking', () => {
  const idx = new PlaceIndex([
    place('Đường Yersin', 3),
    place('Yersinia', 4),
    place('Đại lộ Bình Dương', 0),
    place('Đường Bình Dương 2', 4),
    place('Ngõ 12', 5, 10.98, 106.65),
    place('Ngõ 12', 5, 11.1, 106.7),
    place('Phố Huế', 2),
  ]);
  const names = (q: string, near?: { lat: number; lng: number }) => idx.search(foldQuery(q), near ? { near } : {}).map((h) => h.place.name);
  it.each([
    ['duong yersin', ['Đường Yersin', 'Yersinia']], // exact first; "đường" ignored for Yersinia
    ['Đường Yersin', ['Đường Yersin', 'Yersinia']],
    ['yersin', ['Đường Yersin', 'Yersinia']], // whole word before prefix
    ['YERS', ['Đường Yersin', 'Yersinia']], // both prefix: the more important road first
    ['binh duong', ['Đại lộ Bình Dương', 'Đường Bình Dương 2']], // road class
    ['duong binh', ['Đại lộ Bình Dương', 'Đường Bình Dương 2']], // words in any order
    ['pho hue', ['Phố Huế']],
    ['hue', ['Phố Huế']],
    ['duong hue', ['Phố Huế']], // "đường" the name does not have is ignored
    ['quang trung', []],
    ['duong', ['Đại lộ Bình Dương', 'Đường Yersin', 'Đường Bình Dương 2']], // a word of all three: by road class
  ])('%s → %j', (q, expected) => expect(names(q)).toEqual(expected));

  it.each([
    ['yersin', 'Đường Yersin', MATCH.exact],
    ['duong yersin', 'Đường Yersin', MATCH.exact],
    ['duong yersin', 'Yersinia', MATCH.prefix],
    ['yersin', 'Yersinia', MATCH.prefix],
    ['binh duong', 'Đại lộ Bình Dương', MATCH.wholeWords],
    ['binh du', 'Đại lộ Bình Dương', MATCH.prefix],
  ])('%s on %s: match %i', (q, name, match) => {
    const hit = idx.search(foldQuery(q)).find((h) => h.place.name === name);
    expect(hit?.match ?? -1).toBe(match);
  });

  it('the same name in two places: the one nearer the map centre first', () => {
    const near = (lat: number, lng: number) => idx.search(foldQuery('ngo 12'), { near: { lat, lng } }).map((h) => h.place.location.lat);
    expect(near(11.1, 106.7)).toEqual([11.1, 10.98]);
    expect(near(10.98, 106.65)).toEqual([10.98, 11.1]);
  });

  it('returns at most the limit', () => {
    expect(idx.search(foldQuery('d'), { limit: 2 })).toHaveLength(2);
    expect(idx.search(foldQuery(''), {})).toEqual([]);
  });
});

/** Distance from a point to the nearest segment of a name, metres (vertex-to-segment, planar). */
function distanceToNamedRoad(g: RoadGraph, name: string, lat: number, lng: number): number {
  let best = Infinity;
  const kx = Math.cos((lat * Math.PI) / 180);
  for (let s = 0; s < segmentCount(g); s++) {
    if (segmentName(g, s) !== name) continue;
    for (let i = g.segGeomOffset[s]!; i + 1 < g.segGeomOffset[s + 1]!; i++) {
      const [y1, x1, y2, x2] = [g.geomLatE7[i]! * E7, g.geomLngE7[i]! * E7 * kx, g.geomLatE7[i + 1]! * E7, g.geomLngE7[i + 1]! * E7 * kx];
      const dx = x2 - x1, dy = y2 - y1, px = lng * kx;
      const t = dx === 0 && dy === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (lat - y1) * dy) / (dx * dx + dy * dy)));
      best = Math.min(best, haversineDegM(lat, lng, y1 + t * dy, (x1 + t * dx) / kx));
    }
  }
  return best;
}

describe.each([
  {
    file: 'monaco.osm.pbf',
    cases: [
      ['boulevard albert', 'Boulevard Albert 1er'],
      ['Boulevard Albert 1er', 'Boulevard Albert 1er'],
      ['albert 1er', 'Boulevard Albert 1er'],
      ['spelugues', 'Avenue des Spélugues'],
      ['AVENUE DES SPELUG', 'Avenue des Spélugues'],
      ['princesse grace', 'Avenue Princesse Grace'],
      ['grimaldi', 'Rue Grimaldi'],
    ],
  },
  {
    file: 'hanoi_o_cho_dua_osm_road_graph.geojson',
    cases: [
      ['lang ha', 'Phố Láng Hạ'],
      ['Phố Láng Hạ', 'Phố Láng Hạ'],
      ['duong lang ha', 'Phố Láng Hạ'],
      ['la thanh', 'Đường La Thành'],
      ['đường la thành', 'Đường La Thành'],
      ['de la thanh', 'Đê La Thành'],
      ['o cho dua', 'Phố Ô Chợ Dừa'],
      ['ton duc thang', 'Phố Tôn Đức Thắng'],
      ['TÔN ĐỨC', 'Phố Tôn Đức Thắng'],
      ['xa dan', 'Phố Xã Đàn'],
      ['giang vo', 'Phố Giảng Võ'],
    ],
  },
])('street index on the real $file graph', ({ file, cases }) => {
  let g: RoadGraph;
  let idx: PlaceIndex;
  beforeAll(async () => {
    g = await importRoadGraph(path.join(osmDir, file), { builtAt: '2026-01-01T00:00:00Z' });
    idx = buildStreetIndex(g);
  });

  it.each(cases)('%s → %s first, its point on that road, inside its box', (q, name) => {
    const hits = idx.search(foldQuery(q));
    const top = hits[0]!;
    expect(top.place.name).toBe(name);
    expect(top.place.kind).toBe('street');
    const { lat, lng } = top.place.location;
    expect(distanceToNamedRoad(g, name, lat, lng)).toBeLessThan(1);
    const [w, s, e, n] = top.place.bbox!;
    expect(lng).toBeGreaterThanOrEqual(w);
    expect(lng).toBeLessThanOrEqual(e);
    expect(lat).toBeGreaterThanOrEqual(s);
    expect(lat).toBeLessThanOrEqual(n);
  });

  it('has one entry per name and place: every named road is found, no name twice within the merge distance', () => {
    const named = new Set<string>();
    for (let s = 0; s < segmentCount(g); s++) {
      const n = segmentName(g, s);
      if (n?.trim()) named.add(n.trim());
    }
    const places = idx.all();
    expect(new Set(places.map((p) => p.name))).toEqual(named);
    const byName = new Map<string, Place[]>();
    for (const p of places) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
    for (const [, ps] of byName) {
      for (let i = 0; i < ps.length; i++) {
        for (let j = i + 1; j < ps.length; j++) {
          // Two entries of one name are apart: their boxes do not touch.
          const [a, b] = [ps[i]!.bbox!, ps[j]!.bbox!];
          expect(a[2] < b[0] || b[2] < a[0] || a[3] < b[1] || b[3] < a[1]).toBe(true);
        }
      }
    }
  });
});

describe('Monaco: one name in two far-apart places gives two results', () => {
  it('"Moyenne Corniche" is two streets, each with its own point, and `near` picks the order', async () => {
    const g = await importRoadGraph(path.join(osmDir, 'monaco.osm.pbf'), { builtAt: '2026-01-01T00:00:00Z' });
    const idx = buildStreetIndex(g);
    const hits = idx.search(foldQuery('moyenne corniche')).filter((h) => h.place.name === 'Moyenne Corniche');
    expect(hits).toHaveLength(2);
    const [a, b] = hits.map((h) => h.place.location);
    expect(haversineDegM(a!.lat, a!.lng, b!.lat, b!.lng)).toBeGreaterThan(1000);
    for (const p of [a!, b!]) {
      const first = idx.search(foldQuery('moyenne corniche'), { near: p })[0]!;
      expect(first.place.location).toEqual(p);
    }
  });
});

describe('Geocoder: hospitals with or without a road graph', () => {
  const hospitals: Hospital[] = [
    { id: 'h1', name: 'Bệnh viện Đa khoa tỉnh Bình Dương', location: { lat: 10.98, lng: 106.65 }, edCapacity: null, diversion: false },
    { id: 'h2', name: 'Centre Hospitalier Princesse Grace', location: { lat: 43.7278, lng: 7.4124 }, edCapacity: 3, diversion: false },
  ];
  it('finds hospitals by folded name without a graph', () => {
    const geo = new Geocoder(null, () => hospitals);
    expect(geo.streets).toBeNull();
    expect(geo.search('benh vien binh').map((h) => [h.place.kind, h.place.name])).toEqual([['hospital', 'Bệnh viện Đa khoa tỉnh Bình Dương']]);
    expect(geo.search('yersin')).toEqual([]);
  });
  it('mixes hospitals and streets, and sees a replaced hospital list', async () => {
    let list = hospitals;
    const g = await importRoadGraph(path.join(osmDir, 'monaco.osm.pbf'), { builtAt: '2026-01-01T00:00:00Z' });
    const geo = new Geocoder(g, () => list);
    const kinds = geo.search('princesse grace').map((h) => `${h.place.kind}:${h.place.name}`);
    expect(kinds).toContain('hospital:Centre Hospitalier Princesse Grace');
    expect(kinds).toContain('street:Avenue Princesse Grace');
    list = [];
    expect(geo.search('princesse grace').every((h) => h.place.kind === 'street')).toBe(true);
  });
});
