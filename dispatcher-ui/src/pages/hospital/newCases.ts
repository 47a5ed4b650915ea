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

/** A short two-tone chime through Web Audio (no sound file to ship). `ctx` must have been created on a click. */
export function chime(ctx: AudioContext): void {
  const t0 = ctx.currentTime;
  for (const [i, hz] of [880, 660].entries()) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0.0001, t0 + i * 0.25);
    gain.gain.exponentialRampToValueAtTime(0.3, t0 + i * 0.25 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.25 + 0.22);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0 + i * 0.25);
    osc.stop(t0 + i * 0.25 + 0.25);
  }
}
