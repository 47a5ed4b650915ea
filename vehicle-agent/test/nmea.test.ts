import { describe, expect, it } from 'vitest';
import { NmeaDecoder, decodeNmea, nmeaChecksum, parseNmeaSentence } from '../src/gps/nmea.ts';
import type { NmeaSentence, ParseResult } from '../src/gps/nmea.ts';

/** Wraps a sentence body in $…*hh with its checksum (computed here, independently of the code under test). */
function nmea(body: string): string {
  let sum = 0;
  for (const c of body) sum ^= c.charCodeAt(0);
  return `$${body}*${sum.toString(16).toUpperCase().padStart(2, '0')}`;
}

function parsed(line: string): NmeaSentence {
  const r = parseNmeaSentence(line);
  if (!r.ok) throw new Error(`expected ${line} to parse, got ${r.reason}`);
  return r.sentence;
}

const KNOT = 1852 / 3600;

// Real sentences from fixtures/nmea (file named in the comment).
const BT451 = {
  rmc: '$GPRMC,152505.00,A,5547.82113,N,02334.14130,E,0.253,,091209,,,A*7A',
  gga: '$GPGGA,152505.00,5547.82113,N,02334.14130,E,1,04,2.72,37.0,M,26.9,M,,*6B',
  gsa: '$GPGSA,A,3,26,32,11,14,,,,,,,,,6.25,2.72,5.62*05',
  zda: '$GPZDA,152505.00,09,12,2009,00,00*61',
};

describe('checksum', () => {
  it('is the XOR of the characters between $ and *', () => {
    expect(nmeaChecksum('GPRMC,152505.00,A,5547.82113,N,02334.14130,E,0.253,,091209,,,A')).toBe(0x7a);
    expect(nmeaChecksum('')).toBe(0);
  });

  it.each([
    ['good, upper case', BT451.rmc, true],
    ['good, lower-case hex', BT451.rmc.replace('*7A', '*7a'), true],
    ['one bit flipped in the payload', BT451.rmc.replace('5547.82113', '5547.82112'), false],
    ['wrong checksum', BT451.rmc.replace('*7A', '*7B'), false],
  ])('%s', (_name, line, ok) => {
    const r = parseNmeaSentence(line);
    expect(r.ok).toBe(ok);
    if (!ok) expect(r).toMatchObject({ ok: false, reason: 'badChecksum' });
  });

  it('rejects a sentence without a checksum (corrupted data could not be told apart)', () => {
    expect(parseNmeaSentence('$GPTXT,TELIT SW Version: SL869 v3.1.2.1 -STD -N96')).toMatchObject({ reason: 'noChecksum' });
    expect(parseNmeaSentence('$GPBOD,,T,,M,,*')).toMatchObject({ reason: 'noChecksum' });
  });

  it('skips line noise before the $ (tomtom-mkII, beidou-bd)', () => {
    expect(parsed('r$GPRMC,175804,V,5125.8697,N,00524.2288,E,0.0000,0.000,200610,,*30').type).toBe('RMC');
    expect(parsed(' $GNRMC,074157.799,A,3114.8902,N,12135.2443,E,0.32,4.94,250215,,,A*7F\r\n').type).toBe('RMC');
  });
});

describe('sentence types', () => {
  it('RMC', () => {
    expect(parsed(BT451.rmc)).toEqual({
      type: 'RMC',
      talker: 'GP',
      timeOfDayMs: ((15 * 60 + 25) * 60 + 5) * 1000,
      status: 'A',
      lat: 55 + 47.82113 / 60,
      lng: 23 + 34.1413 / 60,
      speedKnots: 0.253,
      courseDeg: null,
      date: { year: 2009, month: 12, day: 9 },
      faaMode: 'A',
    });
  });

  it('RMC in the southern and western hemispheres, NMEA 2.0 without FAA mode, 4.1 with nav status', () => {
    const south = parsed('$GPRMC,095305.802,A,2712.6547,S,15303.1350,E,1.93,133.96,080407,,,A*78');
    expect(south).toMatchObject({ lat: -(27 + 12.6547 / 60), lng: 153 + 3.135 / 60, timeOfDayMs: 35_585_802 });
    const west = parsed('$INRMC,194101,A,4426.1130,N,07140.5596,W,5.2,77.3,160906,15.8,W*60');
    expect(west).toMatchObject({ talker: 'IN', lng: -(71 + 40.5596 / 60), faaMode: null, courseDeg: 77.3 });
    const v41 = parsed(nmea('GNRMC,120000.00,A,4807.038,N,01131.000,E,0.0,,010120,,,A,V'));
    expect(v41).toMatchObject({ date: { year: 2020, month: 1, day: 1 } });
  });

  it('RMC two-digit years: 80–99 are 1980–1999', () => {
    expect(parsed(nmea('GPRMC,120000,A,4807.038,N,01131.000,E,0.0,,311299,,'))).toMatchObject({ date: { year: 1999 } });
    expect(parsed(nmea('GPRMC,120000,A,4807.038,N,01131.000,E,0.0,,010179,,'))).toMatchObject({ date: { year: 2079 } });
  });

  it('RMC without a fix (bt451): empty fields are null', () => {
    expect(parsed('$GPRMC,,V,,,,,,,,,,N*53')).toEqual({
      type: 'RMC',
      talker: 'GP',
      timeOfDayMs: null,
      status: 'V',
      lat: null,
      lng: null,
      speedKnots: null,
      courseDeg: null,
      date: null,
      faaMode: 'N',
    });
  });

  it('GGA, including receivers that append fields (beidou-bd)', () => {
    expect(parsed(BT451.gga)).toEqual({
      type: 'GGA',
      talker: 'GP',
      timeOfDayMs: 55_505_000,
      lat: 55 + 47.82113 / 60,
      lng: 23 + 34.1413 / 60,
      quality: 1,
      satellites: 4,
      hdop: 2.72,
      altitudeM: 37,
    });
    expect(parsed('$GNGGA,074157.799,3114.8902,N,12135.2443,E,1,07,1.1,192.9,M,8.3,M,,0000,1.8*70')).toMatchObject({
      talker: 'GN',
      timeOfDayMs: 27_717_799,
      satellites: 7,
      altitudeM: 192.9,
    });
  });

  it('GGA with no fix (haicom-305N reports a stale position with quality 0)', () => {
    expect(parsed('$GPGGA,095257.809,2712.6404,S,15303.1201,E,0,00,00.0,4.0,M,42.2,M,,*7B')).toMatchObject({ quality: 0 });
    expect(parsed('$GPGGA,,,,,,0,00,99.99,,,,,,*48')).toMatchObject({ quality: 0, lat: null, timeOfDayMs: null });
  });

  it('GNS (beidou-bd)', () => {
    expect(parsed('$GNGNS,074157.799,3114.8902,N,12135.2443,E,ANNA,07,1.1,192.9,8.3,,0000*51')).toEqual({
      type: 'GNS',
      talker: 'GN',
      timeOfDayMs: 27_717_799,
      lat: 31 + 14.8902 / 60,
      lng: 121 + 35.2443 / 60,
      modes: 'ANNA',
      satellites: 7,
      hdop: 1.1,
      altitudeM: 192.9,
    });
  });

  it('GSA, including NMEA 4.1 system id (beidou-bd BDGSA)', () => {
    expect(parsed(BT451.gsa)).toEqual({
      type: 'GSA',
      talker: 'GP',
      fixType: 3,
      satelliteIds: [26, 32, 11, 14],
      pdop: 6.25,
      hdop: 2.72,
      vdop: 5.62,
    });
    expect(parsed('$BDGSA,A,3,02,03,04,,,,,,,,,,5.1,1.3,4.9,3.3*2F')).toMatchObject({ talker: 'BD', satelliteIds: [2, 3, 4] });
  });

  it('ZDA', () => {
    expect(parsed(BT451.zda)).toEqual({ type: 'ZDA', talker: 'GP', timeOfDayMs: 55_505_000, date: { year: 2009, month: 12, day: 9 } });
    expect(parsed('$GPZDA,,,,,00,00*48')).toMatchObject({ timeOfDayMs: null, date: null });
  });

  it.each(['GP', 'GN', 'GL', 'GA', 'GB', 'BD', 'GQ', 'QZ', 'IN', 'GI'])('talker %s', (talker) => {
    const s = parsed(nmea(`${talker}GGA,120000.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,`));
    expect(s).toMatchObject({ type: 'GGA', talker, lat: 48 + 7.038 / 60 });
  });

  it.each([
    ['GSV', '$GLGSV,3,3,10,83,27,309,31,84,01,353,*6A'],
    ['VTG', '$GPVTG,,T,,M,0.253,N,0.469,K,A*2C'],
    ['GLL', '$GPGLL,5547.82113,N,02334.14130,E,152505.00,A,A*64'],
    ['proprietary', '$PSRFEPE,074157.799,A,1.1,24.65,25.14,0.1,61.5*29'],
  ])('%s is unsupported, not rejected', (_name, line) => {
    expect(parseNmeaSentence(line)).toMatchObject({ ok: false, reason: 'unsupported' });
  });
});

describe('malformed input is rejected, never thrown', () => {
  const rmc = (fields: string) => nmea(`GPRMC,${fields}`);
  const cases: [string, string, Exclude<ParseResult, { ok: true }>['reason']][] = [
    ['empty line', '', 'noStart'],
    ['no $', 'GPRMC,120000,A', 'noStart'],
    ['$ alone', '$', 'noChecksum'],
    ['truncated mid-sentence (no checksum)', BT451.rmc.slice(0, 30), 'noChecksum'],
    ['truncated sentence with a valid checksum', nmea('GPRMC,120000,A,4807.038,N'), 'malformed'],
    ['truncated GSA (iTrek)', '$GPGSA,A,1,,,,*32', 'malformed'],
    ['non-numeric latitude', rmc('120000,A,48O7.038,N,01131.000,E,0.0,,010120,,'), 'malformed'],
    ['latitude 91°', rmc('120000,A,9100.000,N,01131.000,E,0.0,,010120,,'), 'malformed'],
    ['latitude with 60 minutes', rmc('120000,A,4860.000,N,01131.000,E,0.0,,010120,,'), 'malformed'],
    ['longitude 181°', rmc('120000,A,4807.038,N,18100.000,E,0.0,,010120,,'), 'malformed'],
    ['hemisphere X', rmc('120000,A,4807.038,X,01131.000,E,0.0,,010120,,'), 'malformed'],
    ['latitude without hemisphere', rmc('120000,A,4807.038,,01131.000,E,0.0,,010120,,'), 'malformed'],
    ['hour 25', rmc('250000,A,4807.038,N,01131.000,E,0.0,,010120,,'), 'malformed'],
    ['time not digits', rmc('12a000,A,4807.038,N,01131.000,E,0.0,,010120,,'), 'malformed'],
    ['31 February', rmc('120000,A,4807.038,N,01131.000,E,0.0,,310220,,'), 'malformed'],
    ['negative speed', rmc('120000,A,4807.038,N,01131.000,E,-1.0,,010120,,'), 'malformed'],
    ['speed in exponent notation', rmc('120000,A,4807.038,N,01131.000,E,1e3,,010120,,'), 'malformed'],
    ['course 400°', rmc('120000,A,4807.038,N,01131.000,E,0.0,400,010120,,'), 'malformed'],
    ['status X', rmc('120000,X,4807.038,N,01131.000,E,0.0,,010120,,'), 'malformed'],
    ['GGA quality letter', nmea('GPGGA,120000,4807.038,N,01131.000,E,X,08,0.9,545.4,M,46.9,M,,'), 'malformed'],
    ['GGA quality empty', nmea('GPGGA,120000,4807.038,N,01131.000,E,,08,0.9,545.4,M,46.9,M,,'), 'malformed'],
    ['GGA satellites negative', nmea('GPGGA,120000,4807.038,N,01131.000,E,1,-8,0.9,545.4,M,46.9,M,,'), 'malformed'],
    ['GSA fix type 4', nmea('GPGSA,A,4,26,32,11,14,,,,,,,,,6.25,2.72,5.62'), 'malformed'],
    ['GNS mode digits', nmea('GNGNS,120000,4807.038,N,01131.000,E,12,08,0.9,545.4,46.9,,'), 'malformed'],
    ['lower-case address', nmea('gpgga,120000,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'), 'malformed'],
    ['control character inside', nmea('GPGGA,120000,4807.038,N,01131.000,E,1,08,0.9,545\u0000.4,M,46.9,M,,'), 'malformed'],
    ['over-long line', nmea(`GPTXT,01,01,02,${'x'.repeat(200)}`), 'tooLong'],
    ['1 MB line', `$GPGGA,${'9'.repeat(1 << 20)}*00`, 'tooLong'],
  ];

  it.each(cases)('%s', (_name, line, reason) => {
    expect(parseNmeaSentence(line)).toMatchObject({ ok: false, reason });
    const decoder = new NmeaDecoder();
    expect(decoder.push(line)).toEqual([]);
    expect(decoder.flush()).toEqual([]);
  });

  it('a 1 MB line costs no scan', () => {
    const line = `$GPRMC,${'1'.repeat(1 << 20)}`;
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) parseNmeaSentence(line);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('empty fields in a void sentence are fine', () => {
    expect(parseNmeaSentence('$GPGSA,A,1,,,,,,,,,,,,,99.99,99.99,99.99*30')).toMatchObject({ ok: true });
    expect(parseNmeaSentence('$GPGGA,,,,,,0,,,,M,,M,,*66')).toMatchObject({ ok: true });
  });

  it('survives corrupted real data: random byte flips and truncations never throw or yield impossible fixes', () => {
    const lines = [BT451.rmc, BT451.gga, BT451.gsa, BT451.zda, '$GNGNS,074157.799,3114.8902,N,12135.2443,E,ANNA,07,1.1,192.9,8.3,,0000*51'];
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const decoder = new NmeaDecoder();
    const fixes = [];
    for (let i = 0; i < 20_000; i++) {
      let line = lines[Math.floor(random() * lines.length)]!;
      const at = Math.floor(random() * line.length);
      if (random() < 0.5) line = line.slice(0, at) + String.fromCharCode(Math.floor(random() * 256)) + line.slice(at + 1);
      else line = line.slice(0, at);
      fixes.push(...decoder.push(line));
    }
    for (const f of fixes) {
      expect(Math.abs(f.lat)).toBeLessThanOrEqual(90);
      expect(Math.abs(f.lng)).toBeLessThanOrEqual(180);
      expect(Number.isFinite(f.recordedAtMs)).toBe(true);
    }
    const { rejected } = decoder.stats;
    expect(rejected.badChecksum + rejected.noChecksum + rejected.malformed).toBeGreaterThan(15_000);
  });
});

describe('NmeaDecoder: sentences of one epoch make one fix', () => {
  it('combines RMC (date, speed, course), GGA (quality, satellites, HDOP, altitude) and GSA (mode)', () => {
    const d = new NmeaDecoder();
    const rmc = '$GPRMC,152508.50,A,5547.82156,N,02334.14086,E,0.296,,091209,,,A*76';
    const gga = '$GPGGA,152508.50,5547.82156,N,02334.14086,E,1,04,2.73,35.3,M,26.9,M,,*6E';
    const gsa = '$GPGSA,A,3,26,32,11,14,,,,,,,,,6.24,2.73,5.62*05';
    expect([...d.push(rmc), ...d.push(gga), ...d.push(gsa)]).toEqual([]);
    expect(d.flush()).toEqual([
      {
        recordedAtMs: Date.UTC(2009, 11, 9, 15, 25, 8, 500),
        lat: 55 + 47.82156 / 60,
        lng: 23 + 34.14086 / 60,
        speedMps: 0.296 * KNOT,
        headingDeg: null,
        altitudeM: 35.3,
        fixMode: '3d',
        fixQuality: 1,
        satellites: 4,
        hdop: 2.73,
      },
    ]);
    expect(d.stats).toMatchObject({ parsed: { RMC: 1, GGA: 1, GSA: 1 }, epochs: 1, fixes: 1 });
  });

  it('emits an epoch when the next one starts', () => {
    const d = new NmeaDecoder();
    d.push(nmea('GPRMC,120000,A,4807.038,N,01131.000,E,10.0,90.0,010120,,,A'));
    d.push(nmea('GPGGA,120000,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'));
    const out = d.push(nmea('GPRMC,120001,A,4807.038,N,01131.100,E,10.0,90.0,010120,,,A'));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ recordedAtMs: Date.UTC(2020, 0, 1, 12), speedMps: 10 * KNOT, headingDeg: 90, satellites: 8 });
    expect(d.flush()).toMatchObject([{ recordedAtMs: Date.UTC(2020, 0, 1, 12, 0, 1), altitudeM: null, fixMode: '2d' }]);
  });

  it.each([
    ['RMC status V', ['GPRMC,120000,V,4807.038,N,01131.000,E,0.0,,010120,,,N']],
    ['RMC FAA mode S (simulator)', ['GPRMC,120000,A,4807.038,N,01131.000,E,0.0,,010120,,,S']],
    ['RMC FAA mode N', ['GPRMC,120000,A,4807.038,N,01131.000,E,0.0,,010120,,,N']],
    ['GGA quality 0', ['GPRMC,120000,A,4807.038,N,01131.000,E,0.0,,010120,,,A', 'GPGGA,120000,4807.038,N,01131.000,E,0,08,0.9,545.4,M,46.9,M,,']],
    ['GGA quality 8 (Garmin demo mode)', ['GPRMC,120000,A,4807.038,N,01131.000,E,0.0,,010120,,,A', 'GPGGA,120000,4807.038,N,01131.000,E,8,08,0.9,545.4,M,46.9,M,,']],
    ['GSA mode 1', ['GPRMC,120000,A,4807.038,N,01131.000,E,0.0,,010120,,,A', 'GPGSA,A,1,,,,,,,,,,,,,99.99,99.99,99.99']],
    ['GNS modes all N', ['GPRMC,120000,A,4807.038,N,01131.000,E,0.0,,010120,,,A', 'GNGNS,120000,4807.038,N,01131.000,E,NNNN,00,,,,,']],
  ])('discards the epoch on %s', (_name, bodies) => {
    const d = new NmeaDecoder();
    for (const b of bodies) d.push(nmea(b));
    expect(d.flush()).toEqual([]);
    expect(d.stats.dropped.invalid).toBe(1);
  });

  it('keeps a 2D/3D GSA when another constellation’s GSA says 1', () => {
    const d = new NmeaDecoder();
    d.push(nmea('GNRMC,120000,A,4807.038,N,01131.000,E,0.0,,010120,,,A'));
    d.push(nmea('GNGSA,A,3,01,02,03,04,,,,,,,,,1.8,0.9,1.5'));
    d.push(nmea('GNGSA,A,1,,,,,,,,,,,,,1.8,0.9,1.5'));
    expect(d.flush()).toMatchObject([{ fixMode: '3d' }]);
  });

  it('drops epochs before the first date (GGA has only the time of day), then carries the date across midnight', () => {
    const d = new NmeaDecoder();
    d.push(nmea('GPGGA,235958,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'));
    const out = [
      ...d.push(nmea('GPGGA,235959,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,')),
      ...d.push(nmea('GPRMC,235959,A,4807.038,N,01131.000,E,0.0,,311220,,,A')),
      ...d.push(nmea('GPGGA,000000,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,')),
      ...d.push(nmea('GPGGA,000001,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,')),
      ...d.flush(),
    ];
    expect(out.map((f) => new Date(f.recordedAtMs).toISOString())).toEqual([
      '2020-12-31T23:59:59.000Z',
      // GGA-only epochs after midnight roll over to the next day.
      '2021-01-01T00:00:00.000Z',
      '2021-01-01T00:00:01.000Z',
    ]);
    expect(d.stats.dropped.noDate).toBe(1);
  });

  it('takes the date from ZDA (rst39 sends 10 GGA per RMC)', () => {
    const d = new NmeaDecoder();
    d.push(nmea('GPGGA,120000.10,4807.038,N,01131.000,E,2,08,0.9,545.4,M,46.9,M,,'));
    d.push(nmea('GPZDA,120000.10,19,02,2014,00,00'));
    expect(d.flush()).toMatchObject([{ recordedAtMs: Date.UTC(2014, 1, 19, 12, 0, 0, 100), fixQuality: 2 }]);
  });

  it('does not trust the date of a receiver without a fix', () => {
    const d = new NmeaDecoder();
    d.push(nmea('GPRMC,120000,V,,,,,,,060180,,,N'));
    d.push(nmea('GPGGA,120001,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'));
    expect(d.flush()).toEqual([]);
    expect(d.stats.dropped).toMatchObject({ invalid: 1, noDate: 1 });
  });

  it.each([
    ['same day', Date.UTC(2024, 4, 10, 12, 0, 5), '120000', Date.UTC(2024, 4, 10, 12)],
    ['clock just past midnight, fix just before', Date.UTC(2024, 4, 10, 0, 0, 1), '235959', Date.UTC(2024, 4, 9, 23, 59, 59)],
    ['clock just before midnight, fix just after', Date.UTC(2024, 4, 9, 23, 59, 59), '000001', Date.UTC(2024, 4, 10, 0, 0, 1)],
  ])('fallbackClock dates epochs before the first RMC: %s', (_name, now, time, expected) => {
    const d = new NmeaDecoder({ fallbackClock: () => now });
    d.push(nmea(`GPGGA,${time},4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,`));
    expect(d.flush()).toMatchObject([{ recordedAtMs: expected }]);
  });

  it('fix mode: the GSA of the epoch, else a GSA up to 5 s old, else 3D when GGA has an altitude', () => {
    const d = new NmeaDecoder();
    const epoch = (t: string, withGsa: string | null, alt = '545.4') => [
      ...d.push(nmea(`GPRMC,${t},A,4807.038,N,01131.000,E,0.0,,010120,,,A`)),
      ...d.push(nmea(`GPGGA,${t},4807.038,N,01131.000,E,1,08,0.9,${alt},M,46.9,M,,`)),
      ...(withGsa ? d.push(nmea(`GPGSA,A,${withGsa},01,02,03,,,,,,,,,,1.8,0.9,1.5`)) : []),
    ];
    const modes = [
      ...epoch('120000', '2'),
      ...epoch('120001', null), // held 2D from the GSA one second ago
      ...epoch('120005', null), // still held (5 s)
      ...epoch('120007', null), // stale: altitude says 3D
      ...epoch('120008', null, ''), // no altitude: 2D
      ...d.flush(),
    ].map((f) => f.fixMode);
    expect(modes).toEqual(['2d', '2d', '2d', '3d', '2d']);
  });

  it('a GSA before any timed sentence joins the next epoch', () => {
    const d = new NmeaDecoder();
    d.push(nmea('GPGSA,A,2,01,02,03,,,,,,,,,,1.8,0.9,1.5'));
    d.push(nmea('GPGGA,120000,4807.038,N,01131.000,E,1,03,0.9,545.4,M,46.9,M,,'));
    d.push(nmea('GPZDA,120000,01,01,2020,00,00'));
    expect(d.flush()).toMatchObject([{ fixMode: '2d', satellites: 3 }]);
  });

  it('satellites: the GN count, or the sum of per-constellation GGAs (sirfstarv), or the GSA lists', () => {
    const sirf = decodeNmea(
      [
        '$GPGGA,020935.000,4404.1351,N,12118.8556,W,1,08,0.9,1123.9,M,-19.6,M,,0000*5E',
        '$GLGGA,020935.000,4404.1351,N,12118.8556,W,1,02,0.9,1123.9,M,-19.6,M,,0000*48',
        '$GNGSA,A,3,15,17,30,28,01,19,24,11,,,,,1.8,0.9,1.5*2C',
        '$GNGSA,A,3,73,82,,,,,,,,,,,1.8,0.9,1.5*26',
        '$GNRMC,020935.000,A,4404.1351,N,12118.8556,W,0.04,359.11,050219,,,A*6C',
      ].join('\n'),
    );
    expect(sirf.fixes).toMatchObject([{ satellites: 10, fixMode: '3d', lng: -(121 + 18.8556 / 60) }]);

    const beidou = decodeNmea(
      [
        '$GNGGA,074157.799,3114.8902,N,12135.2443,E,1,07,1.1,192.9,M,8.3,M,,0000,1.8*70',
        '$GNGNS,074157.799,3114.8902,N,12135.2443,E,ANNA,07,1.1,192.9,8.3,,0000*51',
        '$GPGSA,A,3,25,32,,,,,,,,,,,5.1,1.3,4.9,3.3*3D',
        '$BDGSA,A,3,02,03,04,,,,,,,,,,5.1,1.3,4.9,3.3*2F',
        ' $GNRMC,074157.799,A,3114.8902,N,12135.2443,E,0.32,4.94,250215,,,A*7F',
      ].join('\n'),
    );
    expect(beidou.fixes).toMatchObject([{ satellites: 7, fixQuality: 1, recordedAtMs: Date.UTC(2015, 1, 25, 7, 41, 57, 799) }]);

    const rmcOnly = decodeNmea([nmea('GPRMC,120000,A,4807.038,N,01131.000,E,0.0,,010120,,,A'), nmea('GPGSA,A,3,01,02,03,04,05,,,,,,,,1.8,0.9,1.5')].join('\n'));
    expect(rmcOnly.fixes).toMatchObject([{ satellites: 5, hdop: 0.9, fixQuality: null, altitudeM: null }]);
  });

  it('prefers the combined GN position over a single-constellation one', () => {
    const { fixes } = decodeNmea(
      [
        nmea('GPGGA,120000,4807.000,N,01131.000,E,1,05,0.9,545.4,M,46.9,M,,'),
        nmea('GNGGA,120000,4807.100,N,01131.000,E,1,09,0.8,545.0,M,46.9,M,,'),
        nmea('GNRMC,120000,A,4807.100,N,01131.000,E,0.0,,010120,,,A'),
      ].join('\n'),
    );
    expect(fixes).toMatchObject([{ lat: 48 + 7.1 / 60, satellites: 9, hdop: 0.8 }]);
  });

  it('a GNS-only epoch maps its mode characters to a GGA quality', () => {
    const { fixes } = decodeNmea([nmea('GNGNS,120000,4807.038,N,01131.000,E,DDNN,10,0.7,545.4,46.9,,'), nmea('GNZDA,120000,01,01,2020,00,00')].join('\n'));
    expect(fixes).toMatchObject([{ fixQuality: 2, satellites: 10, fixMode: '3d' }]);
  });

  it('a sentence for an epoch already emitted is counted as late, not emitted twice', () => {
    const d = new NmeaDecoder();
    d.push(nmea('GPRMC,120000,A,4807.038,N,01131.000,E,0.0,,010120,,,A'));
    expect(d.flush()).toHaveLength(1);
    d.push(nmea('GPGGA,120000,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,'));
    expect(d.flush()).toEqual([]);
    expect(d.stats.late).toBe(1);
  });

  it('counts every line', () => {
    const d = new NmeaDecoder();
    for (const line of [BT451.rmc, BT451.gga, '$GPVTG,,T,,M,0.253,N,0.469,K,A*2C', BT451.rmc.replace('*7A', '*00'), 'junk', '$GPTXT,x']) d.push(line);
    expect(d.stats).toMatchObject({
      lines: 6,
      parsed: { RMC: 1, GGA: 1, GNS: 0, GSA: 0, ZDA: 0 },
      unsupported: 1,
      rejected: { badChecksum: 1, noStart: 1, noChecksum: 1, malformed: 0, tooLong: 0 },
    });
  });
});
