/**
 * The ambulance road profile: which OpenStreetMap ways an ambulance may drive, in which
 * direction, and how fast. Pure functions of OSM tags; the importers call them once per way.
 *
 * Rules (documented here because they decide dispatch rankings):
 * - Drivable classes: motorway, trunk, primary, secondary, tertiary (and their links),
 *   unclassified, residential, living_street, service. Not track, road, pedestrian, footway…
 *   `area=yes`, `impassable=yes`, `oneway=reversible|alternating` and `route=ferry` are skipped.
 * - Access: the most specific of `emergency`, `motorcar`, `motor_vehicle`, `vehicle`, `access`
 *   decides. `no`, `private`, `agricultural`, `forestry`, `use_sidepath` deny; anything else
 *   (yes, destination, delivery, customers…) allows: an ambulance is destination traffic.
 *   In Việt Nam `motorcar=no` marks the many alleys (ngõ) only motorbikes can use.
 *   `service=emergency_access` is open to an ambulance.
 * - One-way: the most specific of `oneway:motorcar`, `oneway:car`, `oneway:motor_vehicle`,
 *   `oneway:vehicle`, `oneway` decides (`yes|true|1`, `-1|reverse`, `no|false|0`).
 *   `oneway:motorcycle`, `oneway:moped`, `oneway:bicycle`, `oneway:bus` do not bind a car.
 *   `junction=roundabout|circular` and `highway=motorway` are one-way unless tagged otherwise.
 *   Time-conditional tags (`oneway:conditional`, `access:conditional`) are ignored.
 * - Speed: 80 % of `maxspeed` (per direction with `maxspeed:forward|backward`), which stands for
 *   junctions and traffic below the limit; without one, the class speed in
 *   {@link AMBULANCE_CLASS_SPEED_KMH}. Unpaved surfaces cap it at 30 km/h.
 */

/** OSM tags of one element. */
export type OsmTags = Readonly<Record<string, string>>;

/**
 * Typical achievable ambulance speed by road class, km/h, lights and siren in mixed urban
 * traffic. Calibrated so that an urban trip averages ≈35 km/h, the straight-line model's
 * speed (see core/eta.ts); links are slower than their roads (ramps, turns).
 */
export const AMBULANCE_CLASS_SPEED_KMH: Readonly<Record<string, number>> = {
  motorway: 90,
  motorway_link: 45,
  trunk: 70,
  trunk_link: 40,
  primary: 50,
  primary_link: 30,
  secondary: 45,
  secondary_link: 30,
  tertiary: 40,
  tertiary_link: 25,
  unclassified: 30,
  residential: 25,
  living_street: 10,
  service: 15,
};

/** `service=*` values that are slower than a plain service road, km/h. */
const SERVICE_SPEED_KMH: Readonly<Record<string, number>> = {
  parking_aisle: 10,
  driveway: 10,
  alley: 12,
  'drive-through': 10,
};

/** Share of the posted limit an ambulance averages over a road, junctions included. */
export const MAXSPEED_FACTOR = 0.8;
const MIN_SPEED_KMH = 5;
const MAX_SPEED_KMH = 120;
const UNPAVED_CAP_KMH = 30;
const UNPAVED = new Set(['unpaved', 'gravel', 'fine_gravel', 'dirt', 'earth', 'ground', 'grass', 'sand', 'mud', 'compacted', 'pebblestone', 'rock']);

const ACCESS_KEYS = ['emergency', 'motorcar', 'motor_vehicle', 'vehicle', 'access'] as const;
const ACCESS_DENY = new Set(['no', 'private', 'agricultural', 'forestry', 'agricultural;forestry', 'use_sidepath']);
const ONEWAY_KEYS = ['oneway:motorcar', 'oneway:car', 'oneway:motor_vehicle', 'oneway:vehicle', 'oneway'] as const;

export interface WayRule {
  /** Drivable along the way's node order. */
  forward: boolean;
  /** Drivable against the way's node order. */
  backward: boolean;
  forwardKmh: number;
  backwardKmh: number;
}

/** Whether the ambulance may use the way, and how; null when it may not at all. */
export function ambulanceWayRule(tags: OsmTags): WayRule | null {
  const highway = tags.highway;
  if (highway === undefined) return null;
  const classKmh = AMBULANCE_CLASS_SPEED_KMH[highway];
  if (classKmh === undefined) return null;
  if (tags.area === 'yes' || tags.impassable === 'yes' || tags.route === 'ferry') return null;
  if (highway === 'service' && tags.service === 'emergency_access') {
    // Built for emergency vehicles: open unless the emergency tag itself says no.
    if (tags.emergency !== undefined && ACCESS_DENY.has(tags.emergency)) return null;
  } else if (!accessAllowed(tags)) {
    return null;
  }

  const dir = onewayDirection(tags);
  if (dir === 'closed') return null;

  let baseKmh = classKmh;
  if (highway === 'service' && tags.service !== undefined) baseKmh = SERVICE_SPEED_KMH[tags.service] ?? baseKmh;
  const plain = parseMaxspeedKmh(tags.maxspeed);
  const speed = (specific: string | undefined) => {
    const limit = parseMaxspeedKmh(specific) ?? plain;
    let kmh = limit === null ? baseKmh : limit * MAXSPEED_FACTOR;
    if (tags.surface !== undefined && UNPAVED.has(tags.surface)) kmh = Math.min(kmh, UNPAVED_CAP_KMH);
    return Math.min(MAX_SPEED_KMH, Math.max(MIN_SPEED_KMH, kmh));
  };
  return {
    forward: dir !== 'backward',
    backward: dir !== 'forward',
    forwardKmh: speed(tags['maxspeed:forward']),
    backwardKmh: speed(tags['maxspeed:backward']),
  };
}

/** The most specific access tag present decides; no tag means allowed. */
export function accessAllowed(tags: OsmTags): boolean {
  for (const key of ACCESS_KEYS) {
    const v = tags[key];
    if (v !== undefined) return !ACCESS_DENY.has(v);
  }
  return true;
}

export type OnewayDirection = 'both' | 'forward' | 'backward' | 'closed';

/** One-way rule for a car (an ambulance), from the most specific oneway tag present. */
export function onewayDirection(tags: OsmTags): OnewayDirection {
  for (const key of ONEWAY_KEYS) {
    const v = tags[key];
    if (v === undefined) continue;
    if (v === 'yes' || v === 'true' || v === '1') return 'forward';
    if (v === '-1' || v === 'reverse') return 'backward';
    if (v === 'no' || v === 'false' || v === '0') return 'both';
    // Direction changes over the day: no safe static answer, as OSRM does.
    if (v === 'reversible' || v === 'alternating') return 'closed';
    // Unknown value: fall through to a less specific key.
  }
  if (tags.junction === 'roundabout' || tags.junction === 'circular' || tags.highway === 'motorway') return 'forward';
  return 'both';
}

/** Country zone limits (`XX:urban`…), km/h; `VN:*` per Thông tư 31/2019 for cars. */
const ZONE_KMH: Readonly<Record<string, number>> = {
  'VN:urban': 50,
  'VN:rural': 80,
  'VN:motorway': 120,
  urban: 50,
  rural: 80,
  motorway: 120,
  trunk: 100,
  living_street: 20,
  walk: 7,
};

/**
 * Parses an OSM `maxspeed` value to km/h: `50`, `30 mph`, `50;30` (first), `VN:urban`,
 * `FR:rural`, `walk`. Returns null for `none`, `signals`, `variable`, absent or unknown values.
 */
export function parseMaxspeedKmh(value: string | undefined): number | null {
  if (value === undefined) return null;
  const first = value.split(';')[0]!.trim();
  const m = /^(\d+(?:\.\d+)?)\s*(mph|km\/h|kmh|knots)?$/i.exec(first);
  if (m) {
    const n = Number(m[1]);
    if (!(n > 0)) return null;
    const unit = m[2]?.toLowerCase();
    return unit === 'mph' ? n * 1.609344 : unit === 'knots' ? n * 1.852 : n;
  }
  const zone = ZONE_KMH[first];
  if (zone !== undefined) return zone;
  const colon = first.indexOf(':');
  if (colon > 0) return ZONE_KMH[first.slice(colon + 1)] ?? null;
  return null;
}

/**
 * Barriers an ambulance can pass (gates are opened for it). Any other `barrier=*` on a road
 * node (bollard, block, chain, cycle_barrier, `yes`…) blocks passage, as in OSRM's car profile,
 * unless the node says `emergency|motorcar|motor_vehicle|access=yes`.
 */
const PASSABLE_BARRIERS = new Set([
  'gate', 'lift_gate', 'swing_gate', 'sliding_gate', 'toll_booth', 'border_control', 'cattle_grid',
  'sally_port', 'entrance', 'no', 'height_restrictor', 'arch', 'bump_gate', 'hampshire_gate', 'kerb',
]);

/** Whether a node's tags block an ambulance from passing through it. */
export function isBlockingBarrier(tags: OsmTags): boolean {
  const barrier = tags.barrier;
  if (barrier === undefined || PASSABLE_BARRIERS.has(barrier)) return false;
  for (const key of ACCESS_KEYS) {
    const v = tags[key];
    if (v !== undefined) return ACCESS_DENY.has(v);
  }
  return true;
}

export type RestrictionKind = 'no' | 'only';

/**
 * Reads a `type=restriction` relation's tags for a car. Returns null when the relation does not
 * bind an ambulance: another vehicle's restriction (`restriction:hgv`…), a time-conditional one,
 * or `except=` listing emergency vehicles or cars.
 */
export function restrictionKindForCar(tags: OsmTags): RestrictionKind | null {
  if (tags.type !== 'restriction') return null;
  const value = tags['restriction:motorcar'] ?? tags['restriction:motor_vehicle'] ?? tags['restriction:vehicle'] ?? tags.restriction;
  if (value === undefined) return null;
  const except = (tags.except ?? '').split(';').map((s) => s.trim());
  if (except.some((e) => e === 'emergency' || e === 'motorcar' || e === 'motor_vehicle')) return null;
  if (value.startsWith('no_')) return 'no';
  if (value.startsWith('only_')) return 'only';
  return null;
}
