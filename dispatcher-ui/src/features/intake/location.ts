import type { LatLng } from '@lifeline/protocol';

/**
 * Parses typed coordinates "lat, lng" (also "lat lng" or "lat; lng"), decimal point only:
 * a Vietnamese decimal comma would be ambiguous with the separator.
 */
export function parseLatLng(text: string): LatLng | null {
  const m = /^\s*(-?\d{1,3}(?:\.\d+)?)\s*(?:[,;]\s*|\s+)(-?\d{1,3}(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return null;
  const lat = Number(m[1]);
  const lng = Number(m[2]);
  if (!(lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180)) return null;
  return { lat, lng };
}

/** Five decimals: about a metre, more than a click on the map can mean. */
export const formatLatLng = (p: LatLng): string => `${p.lat.toFixed(5)}, ${p.lng.toFixed(5)}`;

/** The server's pattern for caller phone numbers (CreateIncidentBody.callerPhone). */
export const isValidPhone = (s: string): boolean => /^\+?[0-9 ().-]{3,20}$/.test(s.trim());
