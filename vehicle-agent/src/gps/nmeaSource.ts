/**
 * GpsSources over raw NMEA 0183: a captured log replayed from a file, or a live receiver at a
 * device path (USB/serial GPS: /dev/ttyUSB0, /dev/ttyACM0, /dev/serial/by-id/…; a FIFO works too).
 *
 * Serial settings are not ours to change: set the baud rate (and raw mode, so the port does not
 * echo bytes back to the receiver) once before starting the agent:
 *     stty -F /dev/ttyUSB0 9600 raw -echo
 * We read the path as a byte stream, line by line, with no native serial package (those
 * download or compile binaries at install time).
 */
import { constants, createReadStream, fstatSync, open as openFd, closeSync, type ReadStream } from 'node:fs';
import net from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import tty from 'node:tty';
import { FixChannel } from './fixChannel.ts';
import { LineSplitter } from './lineSplitter.ts';
import { NmeaDecoder, type NmeaDecoderOptions, type NmeaStats } from './nmea.ts';
import type { GpsFix, GpsSource } from './types.ts';

/** Lines longer than this are discarded before parsing (NMEA allows 82 characters). */
const MAX_LINE_LENGTH = 1024;

export interface NmeaSourceStats extends NmeaStats {
  /** Lines over 1 KiB, discarded unread (wrong baud rate or a binary protocol). */
  overlongLines: number;
  /** Fixes dropped because the consumer fell behind (live sources only). */
  droppedFixes: number;
}

export interface NmeaSource extends GpsSource {
  readonly stats: NmeaSourceStats;
}

export interface NmeaFileOptions {
  /**
   * Replay speed against the fixes' own timestamps: 1 = real time, 10 = ten times faster.
   * Omitted: as fast as the consumer pulls.
   */
  speed?: number;
  decoder?: NmeaDecoderOptions;
}

/** Replays a captured NMEA log. Iteration ends at the end of the file; pull-based, so no fix is lost. */
export function nmeaFileSource(path: string, options: NmeaFileOptions = {}): NmeaSource {
  const decoder = new NmeaDecoder(options.decoder);
  const abort = new AbortController();
  let stream: ReadStream | null = null;
  let splitter: LineSplitter | null = null;
  let started = false;

  async function* replay(): AsyncGenerator<GpsFix> {
    const lines: string[] = [];
    splitter = new LineSplitter(MAX_LINE_LENGTH, (line) => lines.push(line));
    stream = createReadStream(path, { encoding: 'latin1', signal: abort.signal });
    const startedAt = performance.now();
    let firstFixMs: number | null = null;
    const pace = async (fix: GpsFix) => {
      if (!options.speed) return;
      firstFixMs ??= fix.recordedAtMs;
      const dueAt = startedAt + (fix.recordedAtMs - firstFixMs) / options.speed;
      const waitMs = dueAt - performance.now();
      if (waitMs > 0) await sleep(waitMs, undefined, { signal: abort.signal });
    };
    try {
      for await (const chunk of stream) {
        splitter.push(chunk as string);
        for (const line of lines.splice(0)) {
          for (const fix of decoder.push(line)) {
            await pace(fix);
            if (abort.signal.aborted) return;
            yield fix;
          }
        }
      }
      splitter.end();
      for (const fix of [...lines.splice(0).flatMap((l) => decoder.push(l)), ...decoder.flush()]) {
        await pace(fix);
        if (abort.signal.aborted) return;
        yield fix;
      }
    } catch (error) {
      if (abort.signal.aborted) return;
      throw error;
    }
  }

  return {
    [Symbol.asyncIterator]() {
      if (started) throw new Error('an NMEA source can be iterated only once');
      started = true;
      return replay();
    },
    async stop() {
      abort.abort();
      const s = stream as ReadStream | null;
      if (s && !s.closed) await closed(s);
    },
    get stats() {
      return { ...decoder.stats, overlongLines: splitter?.overlong ?? 0, droppedFixes: 0 };
    },
  };
}

export interface NmeaDeviceOptions {
  /**
   * A receiver sends each epoch as a burst of sentences; after this much silence the open
   * epoch is emitted instead of waiting for the next burst (saves up to one epoch of latency).
   * Default 250 ms; 0 disables it.
   */
  idleFlushMs?: number;
  /** Fixes kept for a slow consumer before the oldest are dropped. Default 100. */
  maxBuffered?: number;
  decoder?: NmeaDecoderOptions;
}

/**
 * Reads a live receiver. Iteration ends when the device reports end of data (a FIFO's writer
 * closed) and throws if it cannot be opened or fails (USB receiver unplugged): restart it then.
 */
export function nmeaDeviceSource(path: string, options: NmeaDeviceOptions = {}): NmeaSource {
  const decoder = new NmeaDecoder(options.decoder);
  const idleFlushMs = options.idleFlushMs ?? 250;
  let stopped = false;
  let stream: Readable | null = null;
  let idleTimer: NodeJS.Timeout | undefined;
  const channel = new FixChannel<GpsFix>(options.maxBuffered ?? 100, () => void stop());
  const emit = (fixes: GpsFix[]) => {
    for (const fix of fixes) channel.push(fix);
  };
  const splitter = new LineSplitter(MAX_LINE_LENGTH, (line) => emit(decoder.push(line)));

  const onData = (chunk: string) => {
    splitter.push(chunk);
    if (idleFlushMs > 0) {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => emit(decoder.flush()), idleFlushMs);
    }
  };

  openDevice(path).then(
    (s) => {
      if (stopped) {
        s.destroy();
        return;
      }
      stream = s;
      s.setEncoding('latin1');
      s.on('data', onData);
      s.on('end', () => {
        clearTimeout(idleTimer);
        splitter.end();
        emit(decoder.flush());
        channel.end();
      });
      s.on('error', (error) => {
        clearTimeout(idleTimer);
        if (!stopped) channel.fail(error);
      });
    },
    (error: unknown) => channel.fail(error),
  );

  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    clearTimeout(idleTimer);
    channel.end();
    const s = stream as Readable | null;
    if (s && !s.closed) {
      const done = closed(s);
      s.destroy();
      await done;
    }
  }

  return {
    [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator](),
    stop,
    get stats() {
      return { ...decoder.stats, overlongLines: splitter.overlong, droppedFixes: channel.dropped };
    },
  };
}

/**
 * Opens the path so that reads do not block a libuv worker thread: a tty (serial port, pty)
 * through tty.ReadStream in raw mode, a FIFO or socket through net.Socket. Anything else (a
 * non-tty character device such as /dev/gnss0, a regular file) falls back to fs streams, whose
 * reads block a worker thread; stopping then waits for the receiver's next bytes.
 */
async function openDevice(path: string): Promise<Readable> {
  const fd = await new Promise<number>((resolve, reject) => {
    openFd(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK, (error, fd) =>
      error ? reject(error) : resolve(fd),
    );
  });
  if (tty.isatty(fd)) {
    const ttyStream = new tty.ReadStream(fd);
    // No echo back to the receiver, no line editing; the baud rate stays as stty set it.
    ttyStream.setRawMode(true);
    return ttyStream;
  }
  const stat = fstatSync(fd);
  if (stat.isFIFO() || stat.isSocket()) return new net.Socket({ fd, readable: true, writable: false });
  closeSync(fd);
  return createReadStream(path);
}

/** Resolves on 'close' whether or not an 'error' came first (events.once would reject on it). */
function closed(stream: Readable): Promise<void> {
  return new Promise((resolve) => stream.once('close', () => resolve()));
}
