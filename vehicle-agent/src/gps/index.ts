export type { FixMode, GpsFix, GpsSource } from './types.ts';
export { NmeaDecoder, decodeNmea, parseNmeaSentence, nmeaChecksum } from './nmea.ts';
export type { NmeaDecoderOptions, NmeaStats, NmeaSentence, ParseResult, RejectReason } from './nmea.ts';
export { nmeaFileSource, nmeaDeviceSource } from './nmeaSource.ts';
export type { NmeaSource, NmeaSourceStats, NmeaFileOptions, NmeaDeviceOptions } from './nmeaSource.ts';
export { gpsdSource, tpvToFix } from './gpsdSource.ts';
export type { GpsdSource, GpsdSourceOptions, GpsdStats, GpsdTpv } from './gpsdSource.ts';
