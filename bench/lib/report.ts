import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { round } from './stats.ts';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

export type Row = Record<string, string | number | boolean | null>;

/** The machine a result was measured on; printed with every table. */
export function machine(): Record<string, string | number> {
  let load = '';
  try {
    load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    /* not Linux */
  }
  let git = '';
  try {
    git = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    /* not a checkout */
  }
  return {
    nproc: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadavgAtStart: load,
    git,
  };
}

function cell(v: Row[string]): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return Number.isFinite(v) ? String(round(v)) : '–';
  return String(v);
}

/** A GitHub-flavoured markdown table, readable in a terminal and pasteable into README. */
export function table(rows: Row[], columns?: string[]): string {
  if (rows.length === 0) return '(no rows)';
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => cols.map((c) => cell(r[c] ?? null)));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (vals: string[]) => '| ' + vals.map((v, i) => v.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(cols), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...cells.map(line)].join('\n');
}

export interface ScenarioResult {
  scenario: string;
  title: string;
  quick: boolean;
  startedAt: string;
  durationSec: number;
  machine: Record<string, string | number>;
  /** What was measured and how, in one or two sentences per point. */
  method: string[];
  /** The table, one object per row; `ratio*` columns compare to the baseline row(s) of the same run. */
  rows: Row[];
  columns: string[];
  /** Goals from the issue, judged on this run. */
  goals: { goal: string; measured: string; met: boolean | null; note?: string }[];
  notes: string[];
  extra?: unknown;
}

/** Prints the table and writes `results/<scenario>.json`. */
export function report(r: ScenarioResult): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}${r.scenario}.json`;
  writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  const out = [
    '',
    `## ${r.title}${r.quick ? ' (quick)' : ''}`,
    '',
    table(r.rows, r.columns),
    '',
    ...r.goals.map((g) => `goal: ${g.goal} — measured ${g.measured} → ${g.met === null ? 'n/a' : g.met ? 'MET' : 'NOT MET'}${g.note ? ` (${g.note})` : ''}`),
    ...r.notes.map((n) => `note: ${n}`),
    `(${r.durationSec.toFixed(0)} s; ${r.machine.nproc} × ${r.machine.cpu}, ${r.machine.memGiB} GiB; written ${file})`,
    '',
  ];
  console.log(out.join('\n'));
}
