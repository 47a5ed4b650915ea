/**
 * `npm run bench` — runs every scenario, one after another, each in its own process, and prints a
 * summary. `--quick` runs a few-minute version. A full run (not --quick) also rewrites the
 * Performance tables in bench/README.md between the `bench:results` markers.
 *
 *   npm run bench -- [--quick] [--only nearest,recommend,fanout,ingest,writer,replay] [--skip replay] [--rows 50000000]
 *   npm run bench -- --only none --readme     (rewrite the README tables from results/*.json)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from './lib/args.ts';
import { machine, RESULTS_DIR, table, type ScenarioResult } from './lib/report.ts';

const ALL = ['nearest', 'recommend', 'fanout', 'ingest', 'writer', 'replay', 'geocode', 'sim'];
const USAGE = `usage: npm run bench -- [--quick] [--only ${ALL.join(',')}] [--skip replay] [--rows 50000000]
       npm run bench -- --only none --readme     (rewrite the README tables from results/*.json)
Runs every benchmark scenario (≈ 30 min; --quick: a few minutes), prints a table per scenario and
writes JSON to bench/results/; a full run rewrites the tables in bench/README.md.`;
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const args = parseArgs();
const only = args.get('only')?.split(',') ?? ALL;
const skip = new Set(args.get('skip')?.split(',') ?? []);
const scenarios = ALL.filter((s) => only.includes(s) && !skip.has(s));
const passThrough = process.argv.slice(2).filter((a, i, all) => !['--only', '--skip'].includes(a) && !['--only', '--skip'].includes(all[i - 1] ?? ''));
const README = fileURLToPath(new URL('./README.md', import.meta.url));

const started = Date.now();
const failed: string[] = [];
for (const s of scenarios) {
  console.log(`\n=== bench: ${s} ${args.quick ? '(quick)' : ''} ===`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(`./scenarios/${s}.ts`, import.meta.url)), ...passThrough], { stdio: 'inherit' });
  console.log(`=== ${s}: ${r.status === 0 ? 'done' : `FAILED (exit ${r.status ?? r.signal})`} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (r.status !== 0) failed.push(s);
}

/** Every scenario's latest table (from results/*.json), as markdown. */
function summary(): string {
  const m = machine();
  const out = [
    `Machine: ${m.nproc} × ${m.cpu}, ${m.memGiB} GiB RAM, ${m.os}, Node ${m.node} (shared with other engineers' test runs; each table gives its start time and the load average then).`,
    '',
  ];
  for (const s of ALL) {
    const f = `${RESULTS_DIR}${s}.json`;
    if (!existsSync(f)) continue;
    const r = JSON.parse(readFileSync(f, 'utf8')) as ScenarioResult;
    out.push(`### ${r.title}${r.quick ? ' (quick run)' : ''}`, '', `Run ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${Math.round(r.durationSec)} s, load average at start ${r.machine.loadavgAtStart}, commit ${r.machine.git}.`, '', table(r.rows, r.columns), '');
    for (const g of r.goals) out.push(`- Goal: ${g.goal} — ${g.measured} → **${g.met === null ? 'not judged' : g.met ? 'met' : 'not met'}**${g.note ? ` (${g.note})` : ''}`);
    for (const n of r.notes) out.push(`- ${n}`);
    out.push(`- Method: ${r.method.join(' ')}`, '');
  }
  return out.join('\n');
}

const text = summary();
console.log(`\n${text}\n(${((Date.now() - started) / 60000).toFixed(1)} min; per-scenario JSON in ${RESULTS_DIR})`);
// `--readme` rewrites the README tables from the results on disk (e.g. after re-running one scenario).
if (((!args.quick && failed.length === 0 && scenarios.length === ALL.length) || args.has('readme')) && existsSync(README)) {
  const readme = readFileSync(README, 'utf8');
  const begin = '<!-- bench:results:begin -->';
  const end = '<!-- bench:results:end -->';
  const a = readme.indexOf(begin);
  const b = readme.indexOf(end);
  if (a >= 0 && b > a) {
    writeFileSync(README, readme.slice(0, a + begin.length) + '\n' + text + '\n' + readme.slice(b));
    console.log('updated the Performance tables in bench/README.md');
  }
}
if (failed.length) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
