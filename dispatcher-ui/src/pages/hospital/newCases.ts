import type { HospitalCase } from '@lifeline/protocol';

/**
 * Which incoming cases the staff have not looked at yet. Everything on the first list the page
 * receives counts as seen (nobody needs an alarm for what was there when they opened the
 * screen); a case that appears later is new until someone marks it seen.
 */
export interface SeenCases {
  /** null until the first list arrived. */
  seen: ReadonlySet<string> | null;
}

/** The seen set after a new list: the first list is all seen; later ones add nothing. */
export function afterList(state: SeenCases, cases: readonly HospitalCase[]): SeenCases {
  return state.seen === null ? { seen: new Set(cases.map((c) => c.incidentId)) } : state;
}

/** Ids of the cases in `cases` nobody has marked seen. */
export function unseen(state: SeenCases, cases: readonly HospitalCase[]): string[] {
  const seen = state.seen;
  return seen === null ? [] : cases.filter((c) => !seen.has(c.incidentId)).map((c) => c.incidentId);
}

export function markSeen(state: SeenCases, incidentId: string): SeenCases {
  return { seen: new Set([...(state.seen ?? []), incidentId]) };
}
