import type { IncidentState, UnitStatus } from '@lifeline/protocol';

/**
 * The statuses a crew can report next, by the incident's state: the next step first. A unit
 * without a job can only say it is available or out of service. (The server decides what each
 * report means for the incident; these are the buttons worth showing.)
 */
export function nextStatuses(state: IncidentState | null): UnitStatus[] {
  switch (state) {
    case null:
      return ['available', 'out_of_service'];
    case 'assigned':
    case 'acknowledged':
      return ['en_route', 'on_scene'];
    case 'en_route':
      return ['on_scene'];
    case 'on_scene':
      return ['transporting', 'available'];
    case 'transporting':
      return ['at_hospital'];
    case 'at_hospital':
      return ['available'];
    default:
      return [];
  }
}

/** `tel:` link of a caller's number (digits and a leading +). */
export const telHref = (phone: string): string => `tel:${phone.replace(/[^\d+]/g, '')}`;

/** `geo:` link (RFC 5870) that phones open in their navigation app, with a label for the pin. */
export const geoHref = (at: { lat: number; lng: number }, label?: string): string =>
  `geo:${at.lat.toFixed(6)},${at.lng.toFixed(6)}?q=${at.lat.toFixed(6)},${at.lng.toFixed(6)}${label ? `(${encodeURIComponent(label)})` : ''}`;
