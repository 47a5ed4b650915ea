/**
 * The repository stands alone (issue #12): nothing refers to a folder beside the clone, and every
 * data file the README names is in the repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Spelled in pieces, so this file does not match itself.
const OUTSIDE = ['..', 'shared'].join('/');
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', '.lifeline', 'test-artifacts', 'results']);

/** Tracked files (git ls-files), or every file outside build output when this is not a git checkout. */
function repositoryFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  } catch {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        if (SKIP_DIRS.has(e.name)) continue;
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) walk(rel);
        else out.push(rel);
      }
    };
    walk('');
    return out;
  }
}

describe('the repository stands alone', () => {
  it(`no file refers to ${OUTSIDE} (a clone has no such folder)`, () => {
    const offenders = repositoryFiles().filter((f) => {
      const full = path.join(ROOT, f);
      return existsSync(full) && statSync(full).isFile() && readFileSync(full).includes(OUTSIDE);
    });
    expect(offenders).toEqual([]);
  });

  it('every fixtures/ path named in the READMEs exists, and every fixture folder says where its data comes from', () => {
    const readmes = repositoryFiles().filter((f) => f.endsWith('README.md'));
    const named = new Set(readmes.flatMap((f) => [...readFileSync(path.join(ROOT, f), 'utf8').matchAll(/fixtures\/[\w./-]+\.\w+/g)].map((m) => m[0])));
    expect(named.size).toBeGreaterThan(0);
    expect([...named].filter((p) => !existsSync(path.join(ROOT, p)))).toEqual([]);
    for (const dir of readdirSync(path.join(ROOT, 'fixtures'))) expect(existsSync(path.join(ROOT, 'fixtures', dir, 'SOURCES.md'))).toBe(true);
    expect(readFileSync(path.join(ROOT, 'NOTICE'), 'utf8')).toMatch(/OpenStreetMap[\s\S]*ODbL[\s\S]*GPSD[\s\S]*BSD-2-Clause/);
  });

  it('the fixtures stay small (≈ 4 MB, no file over 5 MB)', () => {
    const files = repositoryFiles().filter((f) => f.startsWith('fixtures/'));
    const sizes = files.map((f) => statSync(path.join(ROOT, f)).size);
    expect(Math.max(...sizes)).toBeLessThan(5 * 2 ** 20);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(4.5 * 2 ** 20);
  });
});
