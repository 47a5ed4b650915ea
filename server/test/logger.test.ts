import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';

/** A stream that records what is written, looking like a terminal or a pipe. */
function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as Writable & { isTTY?: boolean };
  stream.isTTY = isTTY;
  // eslint-disable-next-line no-control-regex
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('').replace(/\x1b\[[0-9;]*m/g, '') };
}

describe('server logs', () => {
  it('are one readable line per event on a terminal', () => {
    const out = sink(true);
    createLogger('info', out.stream).info({ hospitals: 61 }, 'demo hospitals seeded');
    expect(out.text()).toMatch(/INFO.*demo hospitals seeded/);
    expect(out.text()).toContain('hospitals: 61');
    expect(out.text()).not.toContain('{"level"');
  });

  it('are JSON lines when piped', () => {
    const out = sink(false);
    createLogger('info', out.stream).info({ hospitals: 61 }, 'demo hospitals seeded');
    const line = JSON.parse(out.text().trim()) as { level: number; msg: string; hospitals: number };
    expect(line).toMatchObject({ level: 30, msg: 'demo hospitals seeded', hospitals: 61 });
  });
});
