import { spawn, execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { noPython } from '@lifeline/testing';
import { LineSplitter } from '../src/gps/lineSplitter.ts';
import { decodeNmea } from '../src/gps/nmea.ts';
import { nmeaDeviceSource, nmeaFileSource } from '../src/gps/nmeaSource.ts';
import type { GpsFix } from '../src/gps/types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = path.resolve(repoRoot, 'fixtures/nmea');
const logPath = (name: string) => path.join(dataDir, `${name}.log`);
const sentences = (name: string) => readFileSync(logPath(name), 'latin1').split(/\r?\n/).filter((l) => l.startsWith('$'));

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function take(source: AsyncIterable<GpsFix>, n: number): Promise<GpsFix[]> {
  const out: GpsFix[] = [];
  if (n === 0) return out;
  for await (const fix of source) {
    out.push(fix);
    if (out.length >= n) break;
  }
  return out;
}

describe('LineSplitter', () => {
  it('splits on LF, CRLF and CR across chunk boundaries and drops over-long lines', () => {
    const lines: string[] = [];
    const s = new LineSplitter(10, (l) => lines.push(l));
    for (const chunk of ['ab', 'c\r', '\nde\nf', 'g\rhij', 'klmnopqrstuv', 'wxyz\n12', '3']) s.push(chunk);
    s.end();
    expect(lines).toEqual(['abc', 'de', 'fg', '123']);
    expect(s.overlong).toBe(1);
  });

  it('holds at most one line of memory for a stream without newlines', () => {
    const lines: string[] = [];
    const s = new LineSplitter(100, (l) => lines.push(l));
    for (let i = 0; i < 1000; i++) s.push('x'.repeat(1024));
    s.push('\n$ok\n');
    expect(lines).toEqual(['$ok']);
  });
});

describe('nmeaFileSource (replay)', () => {
  it('yields exactly what the decoder makes of the whole file', async () => {
    const source = nmeaFileSource(logPath('neo-m8n'));
    const fixes = await take(source, Infinity);
    expect(fixes).toEqual(decodeNmea(readFileSync(logPath('neo-m8n'), 'latin1')).fixes);
    expect(source.stats).toMatchObject({ fixes: 23, droppedFixes: 0, overlongLines: 0 });
  });

  it('paces by the fixes’ timestamps', async () => {
    const all = decodeNmea(readFileSync(logPath('bu353s4'), 'latin1')).fixes;
    const spanMs = all.at(-1)!.recordedAtMs - all[0]!.recordedAtMs;
    const speed = spanMs / 300; // the whole log in 300 ms
    const t0 = performance.now();
    const fixes = await take(nmeaFileSource(logPath('bu353s4'), { speed }), Infinity);
    const elapsed = performance.now() - t0;
    expect(fixes).toHaveLength(all.length);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('stop() ends a real-time replay at once', async () => {
    const source = nmeaFileSource(logPath('bu353s4'), { speed: 1 });
    const t0 = performance.now();
    const seen: GpsFix[] = [];
    for await (const fix of source) {
      seen.push(fix);
      if (seen.length === 2) void source.stop();
    }
    expect(seen).toHaveLength(2);
    expect(performance.now() - t0).toBeLessThan(2_500); // the log itself lasts 24 s
  });

  it('a missing file makes iteration throw', async () => {
    await expect(take(nmeaFileSource(path.join(dataDir, 'nope.log')), 1)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('nmeaDeviceSource (live receiver)', () => {
  it('reads a FIFO: splits chunks mid-line, emits an epoch after the line goes quiet, ends at EOF', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nmea-fifo-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const fifo = path.join(dir, 'gps0');
    execFileSync('mkfifo', [fifo]);
    // O_RDWR opens a FIFO without waiting for a reader (Linux); the source is then the reader.
    const writer = openSync(fifo, constants.O_RDWR);
    const lines = sentences('bu353s4');
    const expected = decodeNmea(lines.join('\r\n')).fixes;
    const source = nmeaDeviceSource(fifo, { idleFlushMs: 30 });
    const it = source[Symbol.asyncIterator]();

    // Epoch 1 (GGA, GSA, RMC) in two writes cut mid-sentence; nothing of epoch 2 follows,
    // so only the idle flush can emit it.
    const epoch1 = `${lines.slice(0, 3).join('\r\n')}\r\n`;
    writeSync(writer, epoch1.slice(0, 50));
    writeSync(writer, epoch1.slice(50));
    expect((await it.next()).value).toEqual(expected[0]);

    writeSync(writer, `${lines.slice(3).join('\r\n')}\r\n`);
    closeSync(writer);
    const rest: GpsFix[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value);
    expect(rest).toEqual(expected.slice(1));
    expect(source.stats).toMatchObject({ fixes: expected.length, droppedFixes: 0 });
  });

  it('drops the oldest fixes when the consumer falls behind', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nmea-fifo-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const fifo = path.join(dir, 'gps0');
    execFileSync('mkfifo', [fifo]);
    const writer = openSync(fifo, constants.O_RDWR);
    const lines = sentences('bu353s4');
    const expected = decodeNmea(lines.join('\n')).fixes;
    const source = nmeaDeviceSource(fifo, { maxBuffered: 5, idleFlushMs: 20 });
    writeSync(writer, `${lines.join('\n')}\n`);
    // Start consuming only once the source has decoded everything the device sent (the last
    // epoch by idle flush). Closing the writer earlier could discard the FIFO's contents
    // before the source has opened it.
    await vi.waitFor(() => expect(source.stats.fixes).toBe(expected.length));
    closeSync(writer);
    const got: GpsFix[] = [];
    for await (const fix of source) got.push(fix);
    expect(got).toEqual(expected.slice(-5));
    expect(source.stats.droppedFixes).toBe(expected.length - 5);
  });

  const noPty = noPython();

  it.skipIf(noPty)('reads a serial-like tty (a pty fed with a real log)', async () => {
    // A pty slave is a tty like /dev/ttyUSB0: same tty.ReadStream path, raw mode set by the source.
    const feeder = spawn('python3', [
      '-c',
      `import os, pty, sys, time, tty
m, s = pty.openpty()
tty.setraw(s)
print(os.ttyname(s), flush=True)
lines = [l for l in open(sys.argv[1], 'rb').read().splitlines() if l.startswith(b'$')]
while True:
    for l in lines:
        os.write(m, l + b'\\r\\n')
        time.sleep(0.002)`,
      logPath('mt3339'),
    ]);
    cleanups.push(() => feeder.kill());
    const [ttyPath] = (await createInterface({ input: feeder.stdout })[Symbol.asyncIterator]().next()).value.split('\n');
    expect(ttyPath).toMatch(/^\/dev\/pts\/\d+$/);

    const source = nmeaDeviceSource(ttyPath, { idleFlushMs: 0 });
    const fixes = await take(source, 10);
    await source.stop();
    const known = new Map(decodeNmea(sentences('mt3339').join('\n')).fixes.map((f) => [f.recordedAtMs, f]));
    for (const fix of fixes) expect(fix).toEqual(known.get(fix.recordedAtMs));
    expect(source.stats.rejected.badChecksum).toBe(0);
  });

  it('a missing device makes iteration throw', async () => {
    await expect(take(nmeaDeviceSource('/dev/does-not-exist-gps'), 1)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
