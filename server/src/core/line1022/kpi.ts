import { answeredInTime } from './reportMachine.ts';

/** One 1022 request as the KPIs need it (reports and 1022 emergencies alike). */
export interface Line1022Row {
  type: 'emergency' | 'field_report' | 'procedure_question' | 'suggestion';
  channel: string;
  categoryId: string | null;
  /** The agency holding (or that closed) it; null: the centre. */
  agencyId: string | null;
  wasForwarded: boolean;
  firstAnsweredAt: Date | null;
  answeredDueAt: Date | null;
  rating: 'satisfied' | 'unsatisfied' | null;
}

export type Line1022GroupBy = 'agency' | 'category' | 'type' | 'channel';

export interface Line1022Kpi {
  key: Record<string, string>;
  requests: number;
  byType: Record<string, number>;
  byChannel: Record<string, number>;
  forwarded: number;
  /** Forwarded reports whose first answer came within the deadline, over all forwarded. */
  answeredInTime: number;
  rated: number;
  satisfied: number;
  /** Shares 0..1, null when the denominator is 0 (no data is not 0 %). */
  shareForwarded: number | null;
  shareAnsweredInTime: number | null;
  shareSatisfied: number | null;
}

const keyValue = (r: Line1022Row, g: Line1022GroupBy): string =>
  g === 'agency' ? (r.agencyId ?? 'centre') : g === 'category' ? (r.categoryId ?? 'none') : g === 'type' ? r.type : r.channel;

const share = (n: number, d: number) => (d > 0 ? n / d : null);

/** KPIs of line 1022, grouped; rows in key order so the CSV is stable. */
export function computeLine1022Kpis(rows: readonly Line1022Row[], groupBy: readonly Line1022GroupBy[]): Line1022Kpi[] {
  const groups = new Map<string, Line1022Kpi>();
  for (const r of rows) {
    const key = Object.fromEntries(groupBy.map((g) => [g, keyValue(r, g)]));
    const k = JSON.stringify(key);
    let g = groups.get(k);
    if (!g) {
      g = { key, requests: 0, byType: {}, byChannel: {}, forwarded: 0, answeredInTime: 0, rated: 0, satisfied: 0, shareForwarded: null, shareAnsweredInTime: null, shareSatisfied: null };
      groups.set(k, g);
    }
    g.requests++;
    g.byType[r.type] = (g.byType[r.type] ?? 0) + 1;
    g.byChannel[r.channel] = (g.byChannel[r.channel] ?? 0) + 1;
    if (r.wasForwarded) {
      g.forwarded++;
      if (answeredInTime(r.firstAnsweredAt, r.answeredDueAt)) g.answeredInTime++;
    }
    if (r.rating) {
      g.rated++;
      if (r.rating === 'satisfied') g.satisfied++;
    }
  }
  const out = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  for (const g of out) {
    g.shareForwarded = share(g.forwarded, g.requests);
    g.shareAnsweredInTime = share(g.answeredInTime, g.forwarded);
    g.shareSatisfied = share(g.satisfied, g.rated);
  }
  return out;
}

const csvCell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  // Quote, and defuse spreadsheet formulas in names that come from imported data.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};
const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);

export function line1022KpisToCsv(groups: readonly Line1022Kpi[], groupBy: readonly Line1022GroupBy[]): string {
  const types = ['emergency', 'field_report', 'procedure_question', 'suggestion'];
  const channels = [...new Set(groups.flatMap((g) => Object.keys(g.byChannel)))].sort();
  const head = [...groupBy, 'requests', ...types, ...channels.map((c) => `channel_${c}`), 'forwarded', 'pct_forwarded', 'answered_in_time', 'pct_answered_in_time', 'rated', 'satisfied', 'pct_satisfied'];
  const lines = groups.map((g) =>
    [
      ...groupBy.map((k) => g.key[k] ?? ''),
      g.requests,
      ...types.map((t) => g.byType[t] ?? 0),
      ...channels.map((c) => g.byChannel[c] ?? 0),
      g.forwarded,
      pct(g.shareForwarded),
      g.answeredInTime,
      pct(g.shareAnsweredInTime),
      g.rated,
      g.satisfied,
      pct(g.shareSatisfied),
    ]
      .map(csvCell)
      .join(','),
  );
  return [head.join(','), ...lines].join('\n') + '\n';
}
