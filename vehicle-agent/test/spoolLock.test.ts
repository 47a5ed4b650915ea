import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSpool } from '../src/spool/fileSpool.ts';

/** Two agents on one spool directory would interleave their logs: the second is refused. */
describe('spool directory lock', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'spool-lock-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a second spool on the same directory with a clear message, and allows it after close', () => {
    const dir = fresh();
    const first = new FileSpool({ dir });
    expect(() => new FileSpool({ dir })).toThrow(/in use by another vehicle agent \(pid \d+\)/);
    first.close();
    expect(existsSync(join(dir, 'spool.lock'))).toBe(false);
    new FileSpool({ dir }).close();
  });

  it('takes over a stale lock whose process is gone (the last agent was killed)', async () => {
    const dir = fresh();
    // A pid that existed and has ended: a child that exits at once.
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.once('exit', r));
    writeFileSync(join(dir, 'spool.lock'), `${pid}\n`);
    const spool = new FileSpool({ dir });
    spool.close();
  });

  it('refuses when another live process holds it', async () => {
    const dir = fresh();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, 'spool.lock'), `${child.pid}\n`);
      expect(() => new FileSpool({ dir })).toThrow(new RegExp(`pid ${child.pid}`));
    } finally {
      child.kill('SIGKILL');
    }
  });
});
