import type { Recommendation } from '@lifeline/protocol';
import { msg, type Msg } from '../../i18n/format.ts';

/** A unit other than the first recommendation needs a short reason, stored with the assignment. */
export const needsReason = (index: number): boolean => index > 0;

/**
 * Why a unit ranks where it does, in a few words: units are ranked by ETA (ties: straight-line
 * distance), and the ETA is only as good as its source.
 */
export function rankWhy(rec: Recommendation, index: number, best: Recommendation | undefined): Msg[] {
  const out: Msg[] = [];
  if (index === 0) out.push(msg('why.fastest'));
  else if (best) out.push(msg('why.slower', { sec: Math.max(0, Math.round(rec.etaSec - best.etaSec)) }));
  out.push(msg(`why.source.${rec.etaSource}`));
  // A road route much longer than the crow flies (river, one-way streets, no bridge) explains an ETA.
  if (rec.etaSource !== 'straight_line' && rec.distanceM > rec.straightLineM * 1.4 && rec.distanceM - rec.straightLineM > 300) out.push(msg('why.detour'));
  return out;
}
