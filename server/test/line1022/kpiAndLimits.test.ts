import { describe, expect, it } from 'vitest';
import { computeLine1022Kpis, line1022KpisToCsv, type Line1022Row } from '../../src/core/line1022/kpi.ts';
import { ReportLimiter } from '../../src/core/line1022/reportLimiter.ts';

const due = new Date('2026-03-02T00:00:00Z');
const row = (o: Partial<Line1022Row>): Line1022Row => ({ type: 'field_report', channel: 'web', categoryId: 'traffic', agencyId: 'a', wasForwarded: true, firstAnsweredAt: null, answeredDueAt: null, rating: null, ...o });

describe('computeLine1022Kpis', () => {
  const rows = [
    row({ firstAnsweredAt: new Date('2026-03-01T00:00:00Z'), answeredDueAt: due, rating: 'satisfied' }),
    row({ firstAnsweredAt: new Date('2026-03-03T00:00:00Z'), answeredDueAt: due, rating: 'unsatisfied' }),
    row({ agencyId: 'b', categoryId: 'environment', channel: 'phone' }),
    row({ type: 'procedure_question', agencyId: null, categoryId: null, wasForwarded: false, channel: 'phone', rating: 'satisfied' }),
    row({ type: 'emergency', agencyId: null, categoryId: null, wasForwarded: false, channel: 'phone' }),
  ];

  it('totals: shares over the right denominators', () => {
    const [g] = computeLine1022Kpis(rows, []);
    expect(g).toMatchObject({ requests: 5, forwarded: 3, answeredInTime: 1, rated: 3, satisfied: 2 });
    expect(g!.byType).toEqual({ field_report: 3, procedure_question: 1, emergency: 1 });
    expect(g!.byChannel).toEqual({ web: 2, phone: 3 });
    expect(g!.shareForwarded).toBeCloseTo(0.6);
    expect(g!.shareAnsweredInTime).toBeCloseTo(1 / 3);
    expect(g!.shareSatisfied).toBeCloseTo(2 / 3);
  });

  it('per agency, the centre keeps what no agency holds; no data is null, not 0', () => {
    const groups = computeLine1022Kpis(rows, ['agency']);
    expect(groups.map((g) => g.key.agency)).toEqual(['a', 'b', 'centre']);
    expect(groups[1]).toMatchObject({ requests: 1, shareSatisfied: null, shareAnsweredInTime: 0 });
    expect(groups[2]).toMatchObject({ shareForwarded: 0, shareAnsweredInTime: null });
  });

  it('CSV: one line per group, percentages, formula-safe', () => {
    const csv = line1022KpisToCsv(computeLine1022Kpis([row({ categoryId: '=cmd()' })], ['category']), ['category']);
    const [head, line] = csv.trim().split('\n');
    expect(head).toBe('category,requests,emergency,field_report,procedure_question,suggestion,channel_web,forwarded,pct_forwarded,answered_in_time,pct_answered_in_time,rated,satisfied,pct_satisfied');
    expect(line).toBe("'=cmd(),1,0,1,0,0,1,1,100,0,0,0,0,");
  });
});

describe('ReportLimiter', () => {
  const lim = () => new ReportLimiter({ perPhone: 2, perAddress: 3, windowSec: 60, maxKeys: 100 });
  it('per phone: the third report within the window is refused, later allowed again', () => {
    const l = lim();
    expect(l.take('0901', '1.1.1.1', 0).allowed).toBe(true);
    expect(l.take('0901', '2.2.2.2', 1000).allowed).toBe(true);
    expect(l.take('0901', '3.3.3.3', 2000)).toEqual({ allowed: false, by: 'phone', retryAfterSec: 58 });
    expect(l.take('0901', '3.3.3.3', 60_001).allowed).toBe(true);
  });
  it('per address: many phones from one address are refused past the limit', () => {
    const l = lim();
    for (const p of ['1', '2', '3']) expect(l.take(p, '9.9.9.9', 0).allowed).toBe(true);
    expect(l.take('4', '9.9.9.9', 0)).toMatchObject({ allowed: false, by: 'address' });
  });
});
