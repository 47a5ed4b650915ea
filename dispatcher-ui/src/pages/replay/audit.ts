import type { TimelineEvent } from '@lifeline/protocol';

export interface ShownUnit {
  vehicleId: string;
  etaSec: number | null;
  distanceM: number | null;
}

/** One assignment with the list the dispatcher was looking at when choosing. */
export interface AuditEntry {
  ts: string;
  actor: string;
  vehicleId: string;
  /** 1-based rank of the chosen unit in the last list shown before it; null when it was not in it. */
  rank: number | null;
  /** The last list shown before the assignment (empty when none was recorded). */
  shown: ShownUnit[];
  /** The dispatcher's reason; asked for when the chosen unit was not the first. */
  reason: string | null;
  /** True when the unit was not the first recommendation (or not on the list at all). */
  overrode: boolean;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function shownUnits(e: TimelineEvent): ShownUnit[] {
  const units = e.data['units'];
  if (!Array.isArray(units)) return [];
  return units.flatMap((u: unknown) => {
    if (!u || typeof u !== 'object') return [];
    const o = u as Record<string, unknown>;
    const vehicleId = str(o['vehicleId']);
    return vehicleId ? [{ vehicleId, etaSec: num(o['etaSec']), distanceM: num(o['distanceM']) }] : [];
  });
}

/**
 * The recommendation audit of one incident: for every `UnitAssigned`, the last
 * `RecommendationsShown` list before it, the chosen unit's rank in it and the reason given.
 * `events` oldest first, as the timeline comes.
 */
export function recommendationAudit(events: readonly TimelineEvent[]): AuditEntry[] {
  let shown: ShownUnit[] = [];
  const out: AuditEntry[] = [];
  for (const e of events) {
    if (e.type === 'RecommendationsShown') shown = shownUnits(e);
    else if (e.type === 'UnitAssigned') {
      const vehicleId = str(e.data['vehicleId']) ?? '?';
      const idx = shown.findIndex((u) => u.vehicleId === vehicleId);
      const rank = idx < 0 ? null : idx + 1;
      out.push({ ts: e.ts, actor: e.actor, vehicleId, rank, shown, reason: str(e.data['reason']), overrode: rank !== 1 });
    }
  }
  return out;
}
