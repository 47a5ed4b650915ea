import { E7 } from './spherical.ts';

/**
 * The compact road graph: typed arrays only, so it loads from one file without parsing and
 * costs a few dozen bytes per road segment.
 *
 * Three layers:
 * - **Segments**: the drivable road pieces between junctions (an OSM way split at every node it
 *   shares with another way), with their geometry, length and travel time per direction.
 *   Points snap onto segments; route lines are drawn from them.
 * - **Base graph**: directed edges between routing nodes. A routing node is a junction, except
 *   where a turn restriction or a blocking barrier applies: such a junction is split into one
 *   node per incoming segment direction, each with only the exits allowed from that entry, so a
 *   plain node-based search honours the restriction.
 * - **Contraction hierarchy** over the base graph: `up` edges lead to higher-ranked nodes and are
 *   stored at the lower one; `down` edges come from higher-ranked nodes and are also stored at
 *   the lower one (searched backwards). `mid >= 0` is a shortcut through node `mid`; otherwise
 *   the edge is the segment direction `-mid - 1`.
 */

/** Travel time of a segment direction that may not be driven. */
export const NO_EDGE = 0xffffffff;

/** `segFlags` bit: the segment lies in a large strongly connected part of the network. */
export const SEG_ROUTABLE = 1;

/** 2: per-segment road class and name (for the basemap). Files of another version must be re-imported. */
export const ROAD_GRAPH_FORMAT_VERSION = 2;

/**
 * OSM `highway` values a segment's class code (`segClass`) stands for: the code is the index.
 * 0 is any other value. Append only (a code is stored in graph files).
 */
export const ROAD_CLASSES = [
  'other',
  'motorway', 'motorway_link', 'trunk', 'trunk_link', 'primary', 'primary_link',
  'secondary', 'secondary_link', 'tertiary', 'tertiary_link',
  'unclassified', 'residential', 'living_street', 'service',
] as const;
export type RoadClass = (typeof ROAD_CLASSES)[number];

const CLASS_CODE = new Map<string, number>(ROAD_CLASSES.map((c, i) => [c, i]));

/** The class code of an OSM `highway` value (0 for one not in {@link ROAD_CLASSES}). */
export const roadClassCode = (highway: string | undefined): number => (highway === undefined ? 0 : (CLASS_CODE.get(highway) ?? 0));

/** Credit required by the ODbL wherever OSM-derived data is shown. */
export const OSM_ATTRIBUTION = '© OpenStreetMap contributors';

export interface RoadGraphStats {
  /** OSM ways (or GeoJSON edges) kept by the profile. */
  drivableWays: number;
  /** Node-to-node OSM pieces of the drivable ways. */
  osmSegments: number;
  /** osmSegments counted once per direction a car may drive them. */
  directedOsmSegments: number;
  /** Junction-to-junction segments. */
  segments: number;
  /** segments counted once per drivable direction. */
  directedSegments: number;
  junctions: number;
  /** Routing nodes (junctions after splitting restricted ones). */
  nodes: number;
  baseEdges: number;
  chUpEdges: number;
  chDownEdges: number;
  shortcuts: number;
  blockingBarriers: number;
  /** Way references to nodes absent from the extract (clipped ways are cut there). */
  missingNodeRefs: number;
  restrictions: {
    /** `type=restriction` relations seen. */
    seen: number;
    applied: number;
    /** Not binding a car: another vehicle class, `except=` emergency or motorcar, or time-conditional only. */
    notForCar: number;
    /** Via a way (not supported: counted and ignored) or malformed members. */
    unsupported: number;
    /** Ways or via node not in the drivable graph, or not meeting at the via node. */
    unmatched: number;
  };
  /** Share of segments in large strongly connected components (the others are not snapped to). */
  routableSegmentShare: number;
}

export interface RoadGraphMeta {
  formatVersion: number;
  /** What was imported (file name), for logs. */
  source: string;
  /** ISO time of the import, passed in by the caller. */
  builtAt: string;
  attribution: string;
  profile: string;
  restrictions: boolean;
  /** [minLng, minLat, maxLng, maxLat] of the segments. */
  bbox: [number, number, number, number];
  stats: RoadGraphStats;
}

export interface RoadGraph {
  meta: RoadGraphMeta;

  /** Routing nodes, 1e-7 degrees. Copies of a split junction share its position. */
  nodeLatE7: Int32Array;
  nodeLngE7: Int32Array;

  /** Points of segment s are geom*[segGeomOffset[s] .. segGeomOffset[s+1]). */
  segGeomOffset: Uint32Array;
  geomLatE7: Int32Array;
  geomLngE7: Int32Array;
  /** Segment length, decimetres. */
  segLengthDm: Uint32Array;
  /** Travel time of segment direction 2s (geometry order) and 2s+1 (reverse), ms, or NO_EDGE. */
  segDirMs: Uint32Array;
  segFlags: Uint8Array;
  /** OSM way id of each segment (GeoJSON input: the edge's `osmId`). */
  segWayId: Float64Array;
  /** Road class code of each segment: an index into {@link ROAD_CLASSES}. */
  segClass: Uint8Array;
  /** Name of each segment (its way's `name`, else `ref`): an index into the name table, 0 = none. */
  segName: Uint32Array;
  /** Name table: name n is the UTF-8 bytes nameBytes[nameOffset[n] .. nameOffset[n+1]); name 0 is empty. */
  nameOffset: Uint32Array;
  nameBytes: Uint8Array;
  /** Routing node reached at the end of segment direction d, or -1. */
  segDirHead: Int32Array;
  /** Routing nodes a segment direction can be entered from: segDirTails[segDirTailOffset[d] ..]. */
  segDirTailOffset: Uint32Array;
  segDirTails: Int32Array;

  /** Base graph, CSR by tail node: edges edgeOffset[v] .. edgeOffset[v+1]. */
  edgeOffset: Uint32Array;
  edgeHead: Int32Array;
  /** Segment direction each base edge drives (weight = segDirMs, length = segLengthDm). */
  edgeSegDir: Int32Array;

  /** Contraction hierarchy (see the file comment). */
  chUpOffset: Uint32Array;
  chUpHead: Int32Array;
  chUpMs: Uint32Array;
  chUpDm: Uint32Array;
  chUpMid: Int32Array;
  chDownOffset: Uint32Array;
  chDownTail: Int32Array;
  chDownMs: Uint32Array;
  chDownDm: Uint32Array;
  chDownMid: Int32Array;
}

type ArrayName = Exclude<keyof RoadGraph, 'meta'>;
type TypedArray = Int32Array | Uint32Array | Uint8Array | Float64Array;

const ARRAYS: ReadonlyArray<[ArrayName, 'i32' | 'u32' | 'u8' | 'f64']> = [
  ['nodeLatE7', 'i32'], ['nodeLngE7', 'i32'],
  ['segGeomOffset', 'u32'], ['geomLatE7', 'i32'], ['geomLngE7', 'i32'],
  ['segLengthDm', 'u32'], ['segDirMs', 'u32'], ['segFlags', 'u8'], ['segWayId', 'f64'],
  ['segClass', 'u8'], ['segName', 'u32'], ['nameOffset', 'u32'], ['nameBytes', 'u8'],
  ['segDirHead', 'i32'], ['segDirTailOffset', 'u32'], ['segDirTails', 'i32'],
  ['edgeOffset', 'u32'], ['edgeHead', 'i32'], ['edgeSegDir', 'i32'],
  ['chUpOffset', 'u32'], ['chUpHead', 'i32'], ['chUpMs', 'u32'], ['chUpDm', 'u32'], ['chUpMid', 'i32'],
  ['chDownOffset', 'u32'], ['chDownTail', 'i32'], ['chDownMs', 'u32'], ['chDownDm', 'u32'], ['chDownMid', 'i32'],
];

const CTORS = { i32: Int32Array, u32: Uint32Array, u8: Uint8Array, f64: Float64Array } as const;
const MAGIC = 0x4752_4c4c; // "LLRG" little-endian

/** Number of routing nodes. */
export const nodeCount = (g: RoadGraph): number => g.nodeLatE7.length;
/** Number of segments. */
export const segmentCount = (g: RoadGraph): number => g.segLengthDm.length;

/**
 * Grows `box` ([west, south, east, north], degrees) to hold points lo .. hi-1 of the given
 * 1e-7-degree coordinate arrays (start from [Infinity, Infinity, -Infinity, -Infinity]).
 */
export function growBoxE7(box: [number, number, number, number], latE7: ArrayLike<number>, lngE7: ArrayLike<number>, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) {
    const lat = latE7[i]! * E7;
    const lng = lngE7[i]! * E7;
    if (lng < box[0]) box[0] = lng;
    if (lat < box[1]) box[1] = lat;
    if (lng > box[2]) box[2] = lng;
    if (lat > box[3]) box[3] = lat;
  }
}

const utf8 = new TextDecoder();

/** A segment's road name, or null when its way has none. */
export function segmentName(g: RoadGraph, s: number): string | null {
  const n = g.segName[s]!;
  if (n === 0) return null;
  return utf8.decode(g.nameBytes.subarray(g.nameOffset[n]!, g.nameOffset[n + 1]!));
}

/** Encodes a name list (index 0 must be the empty name) as the graph's name table. */
export function encodeNameTable(names: readonly string[]): { nameOffset: Uint32Array; nameBytes: Uint8Array } {
  const enc = new TextEncoder();
  const parts = names.map((n) => enc.encode(n));
  const nameOffset = new Uint32Array(parts.length + 1);
  for (let i = 0; i < parts.length; i++) nameOffset[i + 1] = nameOffset[i]! + parts[i]!.length;
  const nameBytes = new Uint8Array(nameOffset[parts.length]!);
  parts.forEach((p, i) => nameBytes.set(p, nameOffset[i]!));
  return { nameOffset, nameBytes };
}

const align8 = (n: number) => (n + 7) & ~7;

/**
 * Serialises a graph: "LLRG", format version, header length (u32 LE each), a JSON header
 * (meta + array table), then each typed array 8-byte aligned. Little-endian like every machine
 * we run on.
 */
export function encodeRoadGraph(g: RoadGraph): Uint8Array {
  const table = ARRAYS.map(([name, type]) => ({ name, type, length: (g[name] as TypedArray).length }));
  const header = new TextEncoder().encode(JSON.stringify({ meta: g.meta, arrays: table }));
  let offset = align8(12 + header.length);
  const offsets: number[] = [];
  for (const [name] of ARRAYS) {
    offsets.push(offset);
    offset = align8(offset + (g[name] as TypedArray).byteLength);
  }
  const out = new Uint8Array(offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, ROAD_GRAPH_FORMAT_VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  ARRAYS.forEach(([name], i) => {
    const a = g[name] as TypedArray;
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offsets[i]!);
  });
  return out;
}

export type DecodeResult = { ok: true; graph: RoadGraph } | { ok: false; code: 'NotARoadGraph' | 'FormatVersion' | 'Truncated'; message: string };

/** Reads a graph written by {@link encodeRoadGraph}; the arrays are views on `bytes` (no copy when aligned). */
export function decodeRoadGraph(bytes: Uint8Array): DecodeResult {
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
  if (bytes.length < 12) return { ok: false, code: 'NotARoadGraph', message: 'file too short' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) return { ok: false, code: 'NotARoadGraph', message: 'missing LLRG magic' };
  const version = view.getUint32(4, true);
  if (version !== ROAD_GRAPH_FORMAT_VERSION) {
    return {
      ok: false,
      code: 'FormatVersion',
      message: `road graph format ${version}, this build reads format ${ROAD_GRAPH_FORMAT_VERSION}: re-import the extract with \`npm run import-osm -- <extract.osm.pbf> <graph.llrg>\``,
    };
  }
  const headerLen = view.getUint32(8, true);
  if (12 + headerLen > bytes.length) return { ok: false, code: 'Truncated', message: 'header beyond end of file' };
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLen))) as {
    meta: RoadGraphMeta;
    arrays: { name: ArrayName; type: keyof typeof CTORS; length: number }[];
  };
  const graph = { meta: header.meta } as Record<string, unknown>;
  let offset = align8(12 + headerLen);
  for (const { name, type, length } of header.arrays) {
    const Ctor = CTORS[type];
    const byteLength = length * Ctor.BYTES_PER_ELEMENT;
    if (offset + byteLength > bytes.length) return { ok: false, code: 'Truncated', message: `array ${name} beyond end of file` };
    graph[name] = new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset + offset, length);
    offset = align8(offset + byteLength);
  }
  for (const [name] of ARRAYS) {
    if (!(name in graph)) return { ok: false, code: 'NotARoadGraph', message: `array ${name} missing` };
  }
  // Rebuild in declaration order so every graph object has one shape (fast property access).
  const shaped = { meta: header.meta } as Record<string, unknown>;
  for (const [name] of ARRAYS) shaped[name] = graph[name];
  return { ok: true, graph: shaped as unknown as RoadGraph };
}
