import type { Incident, Vehicle } from '@lifeline/protocol';

/** Cast, not annotated: the protocol grows fields (e.g. statusSince) that these tests do not use. */
export function unit(id: string, over: Partial<Vehicle> = {}, at: { lat: number; lng: number } | null = { lat: 10.98, lng: 106.65 }): Vehicle {
  return {
    id,
    callSign: `CS-${id}`,
    status: 'available',
    online: true,
    incidentId: null,
    statusSince: null,
    position: at ? { ...at, recordedAt: '2025-01-01T00:00:00.000Z', speedMps: null, headingDeg: null } : null,
    ...over,
  } as Vehicle;
}

/** Cast, not annotated: the protocol grows fields (e.g. hospitalId) that these tests do not use. */
export function incident(id: string, version: number, over: Partial<Incident> = {}): Incident {
  return {
    id,
    number: 1,
    line: '115',
    channel: 'phone',
    callerPhone: '0901234567',
    callerName: null,
    location: { lat: 10.98, lng: 106.65 },
    address: null,
    category: 'cardiac',
    priority: 2,
    notes: null,
    state: 'triaged',
    vehicleId: null,
    assignmentId: null,
    hospitalId: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    version,
    ...over,
  } as Incident;
}
