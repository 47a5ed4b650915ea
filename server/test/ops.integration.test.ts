import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { LifelineServer } from '../src/server.ts';
import { TestEnv } from './helpers.ts';

const ops = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../ops');

interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const rules = (parse(readFileSync(path.join(ops, 'prometheus/lifeline-alerts.yml'), 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(readFileSync(path.join(ops, 'grafana/lifeline-dashboard.json'), 'utf8')) as {
  panels: { title: string; targets: { expr: string }[] }[];
  templating: { list: { query?: string }[] };
};

/** The lifeline_* metric families an expression reads (histogram series folded into their family). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\blifeline_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));
}

describe('ops/: alerting rules and dashboard name only metrics the server exports', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;
  let exported: Set<string>;

  beforeAll(async () => {
    await env.setup();
    server = await env.start();
    const res = await server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(res.statusCode).toBe(200);
    exported = new Set([...res.body.matchAll(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) /gm)].map((m) => m[1]!));
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  it('every rule is complete: alert, expr, severity, summary', () => {
    expect(rules.length).toBeGreaterThan(5);
    for (const r of rules) {
      expect(r.alert, JSON.stringify(r)).toMatch(/^Lifeline[A-Za-z]+$/);
      expect(typeof r.expr).toBe('string');
      expect(['critical', 'warning', 'info']).toContain(r.labels?.severity);
      expect(r.annotations?.summary?.length ?? 0).toBeGreaterThan(10);
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smh]$/);
    }
    // The signals the operations issue asks to alert on.
    const all = rules.map((r) => r.expr).join('\n');
    // (Writer failures: retries, since lifeline_position_batches_failed_total also counts the split of a batch around a refused row.)
    for (const m of ['lifeline_position_writer_last_commit_lag_seconds', 'lifeline_position_write_retries_total', 'lifeline_health_degraded', 'lifeline_dead_letters_total', 'lifeline_ack_timeouts_total', 'lifeline_units_marked_silent_total', 'lifeline_logins_throttled_total']) {
      expect(all).toContain(m);
    }
  });

  it('every metric a rule or a panel names is on /metrics', () => {
    const named = new Map<string, string>();
    for (const r of rules) for (const m of metricsIn(r.expr!)) named.set(m, `rule ${r.alert}`);
    for (const p of dashboard.panels) for (const t of p.targets) for (const m of metricsIn(t.expr)) named.set(m, `panel "${p.title}"`);
    for (const v of dashboard.templating.list) for (const m of metricsIn(v.query ?? '')) named.set(m, 'dashboard variable');
    expect(named.size).toBeGreaterThan(10);
    const missing = [...named].filter(([m]) => !exported.has(m)).map(([m, where]) => `${m} (${where})`);
    expect(missing).toEqual([]);
  });

  it('fails for a metric that does not exist (the check itself works)', () => {
    expect(metricsIn('rate(lifeline_no_such_metric_total[5m]) + lifeline_position_commit_lag_seconds_bucket').filter((m) => !exported.has(m))).toEqual(['lifeline_no_such_metric_total']);
  });
});
