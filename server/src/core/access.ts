import type { Role } from '@lifeline/protocol';

/** Who may do what. Routes and socket rooms name one of these; anything unnamed is refused. */
export const ACCESS = {
  /** Live map, units, incidents and their timelines. */
  viewOperations: ['dispatcher', 'supervisor', 'admin'],
  /** Take calls, assign, reassign, cancel, close. */
  dispatch: ['dispatcher', 'supervisor', 'admin'],
  /** Replays, KPIs, recommendation audit. */
  review: ['supervisor', 'admin'],
  /** Users and credentials. */
  administer: ['admin'],
  /** Cases coming to one's own hospital; its ED status. */
  hospital: ['hospital'],
  /** One's own unit's assignment and status. */
  crew: ['crew'],
  /** Line 1022 reports: the centre sees all, an agency only those forwarded to it (scoped in the handler). */
  reports: ['dispatcher', 'supervisor', 'admin', 'agency'],
  /** Act on one's own agency's 1022 reports: accept, answer, pass on, send back, close. */
  agency: ['agency'],
  /** Any logged-in user. */
  anyone: ['dispatcher', 'supervisor', 'hospital', 'crew', 'admin', 'agency'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof ACCESS;

export function allowed(role: Role, permission: Permission): boolean {
  return (ACCESS[permission] as readonly Role[]).includes(role);
}
