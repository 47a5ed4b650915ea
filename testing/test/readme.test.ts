/**
 * Every command README.md names works as written (issue #12): each `npm run <script>` is a script
 * of package.json and is run here as a child process, with `--help` (usage, exit 0). A command added to the README without a test fails here until it is
 * listed below. `pnpm` is only named as `npx pnpm@<pinned>` (a fresh machine has no pnpm).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const PKG = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; packageManager: string };

/** Commands not run here, and why. */
const ELSEWHERE: Record<string, string> = {
  start: 'long-running; its parts are tested by server/test/shutdown.integration.test.ts (Ctrl-C) and demoCalls.integration.test.ts',
  test: 'this very run',
  setup: 'the install step this run began with',
};
/** How each command is run here: its usage (`--help`), or for real. */
const HOW: Record<string, { args: string[]; expect: RegExp }> = {
  'create-user': { args: ['--help'], expect: /usage: npm run create-user/ },
  'import-hospitals': { args: ['--help'], expect: /usage: npm run import-hospitals/ },
  'mosquitto-auth': { args: ['--help'], expect: /usage: .*npm run mosquitto-auth/ },
  'import-osm': { args: ['--help'], expect: /usage: npm run import-osm/ },
  simulate: { args: ['--help'], expect: /Usage: npm run simulate/ },
  agent: { args: ['--help'], expect: /Usage: vehicle-agent/ },
  bench: { args: ['--help'], expect: /usage: npm run bench/ },
  // Through the same pinned pnpm as npm start (scripts/lifeline.mjs), reaching every package's
  // vite / tsc (npm test itself begins with the real typecheck, by the same path).
  build: { args: ['--help'], expect: /dispatcher-ui build: .*vite/ },
  typecheck: { args: ['--version'], expect: /protocol typecheck: Version \d[\s\S]*server typecheck: Version \d/ },
};

/** `npm run x` / `npm start` / `npm test` anywhere in the README (code blocks and inline code). */
const named = [...new Set([...README.matchAll(/\bnpm (?:run ([\w:-]+)|(start|test)\b)/g)].map((m) => m[1] ?? m[2]!))];

describe('README commands', () => {
  it('names only scripts that exist, and each is run here or said where it is tested', () => {
    expect(named).toEqual(expect.arrayContaining(['start', 'test', 'create-user', 'import-osm']));
    expect(named.filter((n) => !(n in PKG.scripts))).toEqual([]);
    expect(named.filter((n) => !(n in HOW) && !(n in ELSEWHERE))).toEqual([]);
  });

  it('names pnpm only as npx pnpm@<the pinned version>', () => {
    const pinned = `npx pnpm@${PKG.packageManager.split('@')[1]}`;
    // Commands are in code: fenced blocks and inline `code`.
    const code = [...README.matchAll(/```[a-z]*\n([\s\S]*?)```|`([^`\n]+)`/g)].map((m) => m[1] ?? m[2]!);
    const bare = code.flatMap((c) => [...c.matchAll(/(?:^|[\s;&|(])((?:npx )?pnpm(?:@[\d.]+)?\s[^\n]*)/gm)].map((m) => m[1]!)).filter((c) => !c.startsWith(pinned));
    expect(bare).toEqual([]);
  });

  it.each(named.filter((n) => n in HOW))('npm run %s works as written', (name) => {
    const how = HOW[name]!;
    const r = spawnSync('npm', ['run', name, ...(how.args.length ? ['--', ...how.args] : [])], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, npm_config_update_notifier: 'false' },
      timeout: 240_000,
    });
    expect({ status: r.status, stderr: r.stderr.includes('ERR_') ? r.stderr : '' }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout + r.stderr).toMatch(how.expect);
  }, 300_000);

  it("the first-admin command creates `admin` (the demo's users are demo-…)", () => {
    const command = README.match(/^LIFELINE_PASSWORD='([^']+)' npm run create-user -- (.+)$/m);
    expect(command).not.toBeNull();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lifeline-readme-'));
    chmodSync(dataDir, 0o755); // as root, the embedded PostgreSQL runs as 'postgres'
    try {
      const args = [...command![2]!.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
      const r = spawnSync('npm', ['run', 'create-user', '--', ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, LIFELINE_PASSWORD: command![1], DATA_DIR: dataDir, DATABASE_URL: '', npm_config_update_notifier: 'false' },
        timeout: 120_000,
      });
      expect(r.stdout).toContain('created admin admin');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
