#!/usr/bin/env node
// One entry point for newcomers: `npm start` and `npm test` work on a machine with only Node.js
// and npm. This script brings pnpm (the workspace's package manager, pinned in package.json) via
// npx when it is not installed, installs the locked dependencies, builds the UI, and then starts
// the system or runs every test.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const pnpmVersion = pkg.packageManager.split('@')[1];
const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`Lifeline needs Node.js 20 or newer (this is ${process.versions.node}).`);
  process.exit(1);
}

function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim() === pnpmVersion) return ['pnpm'];
  return ['npx', '--yes', `pnpm@${pnpmVersion}`];
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`\n✗ ${[cmd, ...args].join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function setup() {
  const pnpm = pnpmCommand();
  const [cmd, ...pre] = pnpm;
  run(cmd, [...pre, 'install', '--frozen-lockfile', '--reporter=append-only']);
  const ui = path.join(root, 'dispatcher-ui');
  const dist = path.join(ui, 'dist', 'index.html');
  const stale = !existsSync(dist) || newestMtime(path.join(ui, 'src')) > statSync(dist).mtimeMs;
  if (existsSync(path.join(ui, 'src')) && stale) run(cmd, [...pre, '--filter', '@lifeline/dispatcher-ui', 'build']);
  return pnpm;
}

const command = process.argv[2];
if (command === 'setup') {
  setup();
} else if (command === 'start') {
  setup();
  const env = { ...process.env, SIM_VEHICLES: process.env.SIM_VEHICLES ?? '30' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], { cwd: root, stdio: 'inherit', env });
  // Ctrl-C reaches the whole process group; the server stops its simulator and databases itself.
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
} else if (command === 'test') {
  const [cmd, ...pre] = setup();
  run(cmd, [...pre, '-r', '--if-present', 'typecheck']);
  const out = path.join(os.tmpdir(), `lifeline-vitest-${process.pid}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  const r = spawnSync(cmd, [...pre, 'exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(3)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, 'utf8'));
    // The plain closing line CI tools read.
    console.log(`\nTests: ${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests + (j.numTodoTests ?? 0)} skipped`);
  }
  process.exit(r.status ?? 1);
} else {
  console.error('usage: node scripts/lifeline.mjs setup | start | test [vitest filters…]');
  process.exit(2);
}
