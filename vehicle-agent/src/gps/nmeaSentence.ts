/**
 * NMEA 0183 sentence level: framing, checksum and the fields of RMC, GGA, GNS, GSA and ZDA,
 * for any talker (GP, GN, GL, GA, GB, BD, GQ, IN …). Pure: one line in, one typed result out,
 * never throws on input. Combining sentences into fixes is `NmeaDecoder`'s job (nmea.ts).
 *
 * Field rules follow NMEA 0183 as receivers really emit it (see test/nmea-conformance.test.ts):
 * empty fields are `null`; a non-empty field that is not a number, is out of range, or a
 * coordinate without its hemisphere makes the whole sentence `malformed`.
 */

/** Longest line we look at. NMEA says 82 characters; real receivers reach ~100 (extra GGA fields). */
export const MAX_SENTENCE_LENGTH = 160;

export interface CalendarDate {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
}

interface Base {
  /** Two-letter talker id: GP, GN, GL, GA, GB, BD, GQ, IN … */
  talker: string;
}

export interface RmcSentence extends Base {
  type: 'RMC';
  /** Milliseconds since 00:00 UTC; null when the receiver left the field empty. */
  timeOfDayMs: number | null;
  /** Status field: 'A' valid, 'V' warning/void. */
  status: 'A' | 'V';
  lat: number | null;
  lng: number | null;
  speedKnots: number | null;
  courseDeg: number | null;
  date: CalendarDate | null;
  /** NMEA 2.3 FAA mode indicator (A, D, E, M, S, N …), null on older receivers. */
  faaMode: string | null;
}

export interface GgaSentence extends Base {
  type: 'GGA';
  timeOfDayMs: number | null;
  lat: number | null;
  lng: number | null;
  /** 0 invalid, 1 GPS, 2 DGPS, 3 PPS, 4 RTK fixed, 5 RTK float, 6 dead reckoning, 7 manual, 8 simulation. */
  quality: number;
  satellites: number | null;
  hdop: number | null;
  /** Altitude above mean sea level, metres. */
  altitudeM: number | null;
}

export interface GnsSentence extends Base {
  type: 'GNS';
  timeOfDayMs: number | null;
  lat: number | null;
  lng: number | null;
  /** One mode character per constellation (GPS, GLONASS, Galileo, BeiDou …), e.g. "ANNA". */
  modes: string;
  satellites: number | null;
  hdop: number | null;
  altitudeM: number | null;
}

export interface GsaSentence extends Base {
  type: 'GSA';
  /** 1 no fix, 2 2D, 3 3D. */
  fixType: 1 | 2 | 3;
  satelliteIds: number[];
  pdop: number | null;
  hdop: number | null;
  vdop: number | null;
}

export interface ZdaSentence extends Base {
  type: 'ZDA';
  timeOfDayMs: number | null;
  date: CalendarDate | null;
}

export type NmeaSentence = RmcSentence | GgaSentence | GnsSentence | GsaSentence | ZdaSentence;
export type SentenceType = NmeaSentence['type'];

export type RejectReason = 'noStart' | 'tooLong' | 'noChecksum' | 'badChecksum' | 'malformed';

export type ParseResult =
  | { ok: true; sentence: NmeaSentence }
  /** Well-formed, checksum good, but a sentence type we do not decode (GSV, VTG, GLL, proprietary …). */
  | { ok: false; reason: 'unsupported'; address: string }
  | { ok: false; reason: RejectReason; detail: string };

/** XOR of the characters between '$' and '*' (exclusive), as NMEA 0183 defines the checksum. */
export function nmeaChecksum(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) sum ^= payload.charCodeAt(i);
  return sum & 0xff;
}

const CHECKSUM_RE = /^[0-9A-Fa-f]{2}$/;
const ADDRESS_RE = /^[A-Z][A-Z0-9][A-Z]{3}$/;
const PRINTABLE_RE = /^[\x20-\x7e]*$/;

/**
 * Parses one line. Leading bytes before the first '$' are skipped (line noise on serial
 * links, as in two of the captured logs) and trailing CR/LF/whitespace is ignored.
 * The checksum is mandatory: without it a corrupted position cannot be told from a real one.
 */
export function parseNmeaSentence(line: string): ParseResult {
  // Bound the work before scanning: a runaway line (no newline for 1 MB) costs O(1).
  if (line.length > MAX_SENTENCE_LENGTH * 2) return reject('tooLong', `${line.length} characters`);
  const start = line.indexOf('$');
  if (start < 0) return reject('noStart', 'no "$"');
  const text = line.slice(start).trimEnd();
  if (text.length > MAX_SENTENCE_LENGTH) return reject('tooLong', `${text.length} characters`);

  const star = text.lastIndexOf('*');
  if (star < 0) return reject('noChecksum', 'no "*hh"');
  const checksumText = text.slice(star + 1);
  if (!CHECKSUM_RE.test(checksumText)) return reject('noChecksum', `checksum field "${checksumText}"`);
  const payload = text.slice(1, star);
  if (!PRINTABLE_RE.test(payload)) return reject('malformed', 'non-printable character');
  const expected = Number.parseInt(checksumText, 16);
  const actual = nmeaChecksum(payload);
  if (actual !== expected) {
    return reject('badChecksum', `computed ${hex2(actual)}, sentence says ${checksumText.toUpperCase()}`);
  }

  const fields = payload.split(',');
  const address = fields[0] ?? '';
  if (address.startsWith('P')) return { ok: false, reason: 'unsupported', address };
  if (!ADDRESS_RE.test(address)) return reject('malformed', `address "${address}"`);
  const talker = address.slice(0, 2);
  const f = new Fields(fields);
  let sentence: NmeaSentence | null;
  switch (address.slice(2)) {
    case 'RMC':
      sentence = parseRmc(talker, f);
      break;
    case 'GGA':
      sentence = parseGga(talker, f);
      break;
    case 'GNS':
      sentence = parseGns(talker, f);
      break;
    case 'GSA':
      sentence = parseGsa(talker, f);
      break;
    case 'ZDA':
      sentence = parseZda(talker, f);
      break;
    default:
      return { ok: false, reason: 'unsupported', address };
  }
  if (f.error !== null || sentence === null) return reject('malformed', `${address}: ${f.error ?? 'invalid'}`);
  return { ok: true, sentence };
}

// $--RMC,hhmmss.ss,A,llll.ll,a,yyyyy.yy,a,x.x,x.x,ddmmyy,x.x,a[,m[,s]]*hh
function parseRmc(talker: string, f: Fields): RmcSentence | null {
  if (!f.atLeast(10)) return null;
  const status = f.raw(2);
  if (status !== 'A' && status !== 'V') return f.fail(`status "${status}"`);
  const faa = f.raw(12);
  if (faa !== '' && !/^[A-Z]$/.test(faa)) return f.fail(`FAA mode "${faa}"`);
  return {
    type: 'RMC',
    talker,
    timeOfDayMs: f.time(1),
    status,
    lat: f.coordinate(3, 4, 'lat'),
    lng: f.coordinate(5, 6, 'lng'),
    speedKnots: f.number(7, 0, 2000),
    courseDeg: normalizeCourse(f.number(8, 0, 360)),
    date: f.date(9),
    faaMode: faa === '' ? null : faa,
  };
}

// $--GGA,hhmmss.ss,llll.ll,a,yyyyy.yy,a,q,nn,h.h,a.a,M,g.g,M,age,stn*hh
function parseGga(talker: string, f: Fields): GgaSentence | null {
  if (!f.atLeast(10)) return null;
  const quality = f.integer(6, 0, 9);
  if (quality === null) return f.fail('empty quality');
  return {
    type: 'GGA',
    talker,
    timeOfDayMs: f.time(1),
    lat: f.coordinate(2, 3, 'lat'),
    lng: f.coordinate(4, 5, 'lng'),
    quality,
    satellites: f.integer(7, 0, 999),
    hdop: f.number(8, 0, 100),
    altitudeM: f.number(9, -20_000, 1_000_000),
  };
}

// $--GNS,hhmmss.ss,llll.ll,a,yyyyy.yy,a,mm…,nn,h.h,a.a,g.g,age,stn[,s]*hh
function parseGns(talker: string, f: Fields): GnsSentence | null {
  if (!f.atLeast(10)) return null;
  const modes = f.raw(6);
  if (!/^[ADEFMNPRS]{1,8}$/.test(modes)) return f.fail(`mode "${modes}"`);
  return {
    type: 'GNS',
    talker,
    timeOfDayMs: f.time(1),
    lat: f.coordinate(2, 3, 'lat'),
    lng: f.coordinate(4, 5, 'lng'),
    modes,
    satellites: f.integer(7, 0, 999),
    hdop: f.number(8, 0, 100),
    altitudeM: f.number(9, -20_000, 1_000_000),
  };
}

// $--GSA,a,x,s1,…,s12,p.p,h.h,v.v[,sys]*hh
function parseGsa(talker: string, f: Fields): GsaSentence | null {
  if (!f.atLeast(18)) return null;
  const fixType = f.integer(2, 1, 3);
  if (fixType === null) return f.fail('empty fix type');
  const satelliteIds: number[] = [];
  for (let i = 3; i <= 14; i++) {
    const id = f.integer(i, 1, 999);
    if (id !== null) satelliteIds.push(id);
  }
  return {
    type: 'GSA',
    talker,
    fixType: fixType as 1 | 2 | 3,
    satelliteIds,
    pdop: f.number(15, 0, 100),
    hdop: f.number(16, 0, 100),
    vdop: f.number(17, 0, 100),
  };
}

// $--ZDA,hhmmss.ss,dd,mm,yyyy,zh,zm*hh
function parseZda(talker: string, f: Fields): ZdaSentence | null {
  if (!f.atLeast(5)) return null;
  const timeOfDayMs = f.time(1);
  const day = f.integer(2, 1, 31);
  const month = f.integer(3, 1, 12);
  const year = f.integer(4, 1980, 9999);
  let date: CalendarDate | null = null;
  if (day !== null && month !== null && year !== null) {
    date = { year, month, day };
    if (!isRealDate(date)) return f.fail('no such date');
  }
  return { type: 'ZDA', talker, timeOfDayMs, date };
}

/** Field access that remembers the first malformed field instead of throwing. */
class Fields {
  error: string | null = null;
  constructor(private readonly fields: string[]) {}

  raw(i: number): string {
    return this.fields[i] ?? '';
  }

  fail(message: string): null {
    this.error ??= message;
    return null;
  }

  atLeast(count: number): boolean {
    if (this.fields.length >= count) return true;
    this.fail(`truncated: ${this.fields.length} of ${count} fields`);
    return false;
  }

  number(i: number, min: number, max: number): number | null {
    const s = this.raw(i);
    if (s === '') return null;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) return this.fail(`field ${i} "${s}" is not a number`);
    const v = Number(s);
    if (v < min || v > max) return this.fail(`field ${i} ${v} outside [${min}, ${max}]`);
    return v;
  }

  integer(i: number, min: number, max: number): number | null {
    const s = this.raw(i);
    if (s === '') return null;
    if (!/^\d+$/.test(s)) return this.fail(`field ${i} "${s}" is not an integer`);
    return this.number(i, min, max);
  }

  /** hhmmss[.sss] → milliseconds since midnight UTC. */
  time(i: number): number | null {
    const s = this.raw(i);
    if (s === '') return null;
    const m = /^(\d{2})(\d{2})(\d{2})(\.\d*)?$/.exec(s);
    if (!m) return this.fail(`time "${s}"`);
    const h = Number(m[1]);
    const min = Number(m[2]);
    const sec = Number(m[3]);
    // 60 is a leap second.
    if (h > 23 || min > 59 || sec > 60) return this.fail(`time "${s}" out of range`);
    const ms = m[4] && m[4].length > 1 ? Math.round(Number(`0${m[4]}`) * 1000) : 0;
    return ((h * 60 + min) * 60 + sec) * 1000 + ms;
  }

  /** ddmmyy; two-digit years 80–99 are 1980–1999 (GPS began in 1980), the rest 2000–2079. */
  date(i: number): CalendarDate | null {
    const s = this.raw(i);
    if (s === '') return null;
    const m = /^(\d{2})(\d{2})(\d{2})$/.exec(s);
    if (!m) return this.fail(`date "${s}"`);
    const yy = Number(m[3]);
    const date = { day: Number(m[1]), month: Number(m[2]), year: yy >= 80 ? 1900 + yy : 2000 + yy };
    return isRealDate(date) ? date : this.fail(`date "${s}" does not exist`);
  }

  /**
   * (d)ddmm.mmmm + hemisphere → signed decimal degrees. The degrees are everything before
   * the two minute digits, so a receiver that drops leading zeros still decodes right.
   */
  coordinate(valueAt: number, hemisphereAt: number, axis: 'lat' | 'lng'): number | null {
    const s = this.raw(valueAt);
    const hemi = this.raw(hemisphereAt);
    if (s === '') return null;
    const m = /^(\d*)(\d{2}(?:\.\d*)?)$/.exec(s);
    if (!m) return this.fail(`${axis} "${s}"`);
    const degrees = m[1] === '' ? 0 : Number(m[1]);
    const minutes = Number(m[2]);
    const [positive, negative, limit] = axis === 'lat' ? ['N', 'S', 90] : ['E', 'W', 180];
    if (hemi !== positive && hemi !== negative) return this.fail(`${axis} hemisphere "${hemi}"`);
    if (minutes >= 60) return this.fail(`${axis} "${s}" has ${minutes} minutes`);
    const value = degrees + minutes / 60;
    if (value > limit) return this.fail(`${axis} ${value} beyond ${limit}`);
    return hemi === negative ? -value : value;
  }
}

function normalizeCourse(course: number | null): number | null {
  return course === 360 ? 0 : course;
}

function isRealDate({ year, month, day }: CalendarDate): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function reject(reason: RejectReason, detail: string): ParseResult {
  return { ok: false, reason, detail };
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
