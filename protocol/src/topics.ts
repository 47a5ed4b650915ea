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

/**
 * `{prefix}/servers/{instanceId}`, retained: a server instance's presence (`ServerPresenceMsg`), or
 * an empty payload once it left (its last will, or its clean stop). Server instances only.
 */
export function serverTopic(prefix: string, instanceId: string): string {
  return `${prefix}/servers/${instanceId}`;
}

/** Subscription filter for every server instance's presence. */
export function serverWildcard(prefix: string): string {
  return `${prefix}/servers/+`;
}

/** The instance id of a presence topic; null when the topic is not one. */
export function parseServerTopic(prefix: string, topic: string): string | null {
  if (!topic.startsWith(prefix + '/servers/')) return null;
  const id = topic.slice(prefix.length + '/servers/'.length);
  return /^[A-Za-z0-9_-]{1,40}$/.test(id) ? id : null;
}
