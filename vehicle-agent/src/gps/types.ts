/**
 * One position fix from a GNSS receiver, whatever the source (NMEA, gpsd, simulator).
 * Units are in the names; `null` means the source did not report the value.
 */
export type FixMode = 'none' | '2d' | '3d';

export interface GpsFix {
  /** Receiver (device) time of the fix, epoch milliseconds UTC. */
  recordedAtMs: number;
  /** WGS-84 degrees, north positive. */
  lat: number;
  /** WGS-84 degrees, east positive. */
  lng: number;
  /** Speed over ground, metres per second. */
  speedMps: number | null;
  /** Course over ground, degrees true, [0, 360). */
  headingDeg: number | null;
  /** Altitude above mean sea level, metres. */
  altitudeM: number | null;
  /** The NMEA and gpsd sources only emit '2d' and '3d'; 'none' exists for sources that report a lost fix. */
  fixMode: FixMode;
  /** NMEA GGA quality indicator (1 GPS, 2 DGPS, 4 RTK fixed, 5 RTK float, 6 dead reckoning …). */
  fixQuality: number | null;
  /** Satellites used in the solution. */
  satellites: number | null;
  /** Horizontal dilution of precision (unitless). */
  hdop: number | null;
}

/**
 * A stream of fixes. Iterate it once with `for await`; the iteration ends when the
 * source runs out (end of a replayed file) or after `stop()`, and throws if the source
 * fails (device unplugged, gpsd refused the connection) so the caller decides whether
 * to restart it. `stop()` is idempotent and resolves once the underlying I/O is closed.
 */
export interface GpsSource extends AsyncIterable<GpsFix> {
  stop(): Promise<void>;
}
