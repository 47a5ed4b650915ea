#!/usr/bin/env node
// One entry point for newcomers: `npm start` and `npm test` work on a machine with only Node.js
// and npm. This script brings pnpm (the workspace's package manager, pinned in package.json) via
// npx when it is not installed, installs the locked dependencies, builds the UI, and then starts
// the system or runs every test.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The pnpm version is pinned on purpose: its "update available" notice is noise (also in .npmrc).
process.env.npm_config_update_notifier = 'false';
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

/**
 * The default demo's map: Ô Chợ Dừa (Đống Đa, Hà Nội), the Vietnamese road data the repository
 * ships (fixtures/osm, OpenStreetMap, ODbL), built once into DATA_DIR with the import-osm tool.
 */
function demoRoadGraph(dataDir) {
  const out = path.resolve(root, dataDir, 'demo-hanoi-o-cho-dua.llrg');
  if (!existsSync(out)) {
    mkdirSync(path.dirname(out), { recursive: true });
    console.log('Building the demo road graph (Ô Chợ Dừa, Hà Nội; © OpenStreetMap contributors) …');
    run(process.execPath, ['--import', 'tsx', 'server/src/adapters/routing/importCli.ts', 'fixtures/osm/hanoi_o_cho_dua_osm_road_graph.geojson', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return out;
}

/** Installs once when a tool runs on a fresh clone (npm run create-user … before npm start). */
function ensureInstalled() {
  if (!existsSync(path.join(root, 'node_modules', '.modules.yaml'))) return setup();
  return pnpmCommand();
}

/** Runs a child to its end, passing Ctrl-C on (the whole process group gets it anyway), and exits with its status. */
function runToExit(cmd, args, env = process.env) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env });
  // The terminal sends Ctrl-C to the whole process group: the child has it already, and a second
  // one would cut its clean stop short. SIGTERM (kill PID) is passed on; a SIGINT sent to this
  // process alone reaches the child after a moment if it is still running.
  process.on('SIGTERM', () => child.exitCode === null && child.kill('SIGTERM'));
  process.on('SIGINT', () => setTimeout(() => child.exitCode === null && child.kill('SIGINT'), 3000).unref());
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

/** vitest's JSON report → the closing line; a file that failed before its tests ran counts as one failure. */
function summary(report) {
  const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length;
  const failed = report.numFailedTests + brokenFiles;
  return `Tests: ${report.numPassedTests} passed, ${failed} failed, ${report.numPendingTests + (report.numTodoTests ?? 0)} skipped`;
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'setup') {
  setup();
} else if (command === 'start') {
  setup();
  // The demo: a simulated fleet and calls coming in, unless told otherwise; on real streets.
  const env = { ...process.env, SIM_VEHICLES: process.env.SIM_VEHICLES ?? '30', DEMO_CALLS: process.env.DEMO_CALLS ?? '30' };
  if (!env.OSM_GRAPH && !env.MAP_CENTER && !env.ROUTER_URL) env.OSM_GRAPH = demoRoadGraph(env.DATA_DIR || '.lifeline');
  runToExit(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], env);
} else if (command === 'pnpm') {
  // npm run build | typecheck | bench: the same pinned pnpm as npm start, installed first if needed.
  const [cmd, ...pre] = ensureInstalled();
  runToExit(cmd, [...pre, ...rest]);
} else if (command === 'tool') {
  // npm run create-user | import-osm | …: a TypeScript entry point of the workspace.
  const [file, ...args] = rest;
  ensureInstalled();
  runToExit(process.execPath, ['--import', 'tsx', file, ...args]);
} else if (command === 'test') {
  const [cmd, ...pre] = setup();
  run(cmd, [...pre, '-r', '--if-present', 'typecheck']);
  const out = path.join(os.tmpdir(), `lifeline-vitest-${process.pid}.json`);
  let status = 1;
  try {
    const r = spawnSync(cmd, [...pre, 'exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...rest], {
      cwd: root,
      stdio: 'inherit',
    });
    status = r.status ?? 1;
    // The plain closing line CI tools read.
    if (existsSync(out)) console.log(`\n${summary(JSON.parse(readFileSync(out, 'utf8')))}`);
  } finally {
    rmSync(out, { force: true });
  }
  process.exit(status);
} else {
  console.error('usage: node scripts/lifeline.mjs setup | start | test [vitest filters…] | pnpm <args…> | tool <file.ts> [args…]');
  process.exit(2);
}
