/** MQTT topic helpers. Every topic lives under a configurable prefix (default `lifeline/v1`). */
export const DEFAULT_TOPIC_PREFIX = 'lifeline/v1';

export type VehicleTopicKind = 'position' | 'status' | 'assignment' | 'cancel' | 'ack' | 'stored';
const KINDS: ReadonlySet<string> = new Set(['position', 'status', 'assignment', 'cancel', 'ack', 'stored']);

export function vehicleTopic(prefix: string, vehicleId: string, kind: VehicleTopicKind): string {
  return `${prefix}/vehicles/${vehicleId}/${kind}`;
}

/** Subscription filter for one kind of vehicle message from every unit. */
export function vehicleWildcard(prefix: string, kind: VehicleTopicKind): string {
  return `${prefix}/vehicles/+/${kind}`;
}

/** Parses `{prefix}/vehicles/{id}/{kind}`; null when the topic is not a vehicle topic. */
export function parseVehicleTopic(
  prefix: string,
  topic: string,
): { vehicleId: string; kind: VehicleTopicKind } | null {
  if (!topic.startsWith(prefix + '/vehicles/')) return null;
  const rest = topic.slice(prefix.length + '/vehicles/'.length).split('/');
  if (rest.length !== 2) return null;
  const [vehicleId, kind] = rest as [string, string];
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(vehicleId) || !KINDS.has(kind)) return null;
  return { vehicleId, kind: kind as VehicleTopicKind };
}
