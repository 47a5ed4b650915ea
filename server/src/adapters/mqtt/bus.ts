import mqtt, { type MqttClient } from 'mqtt';
import {
  parseServerTopic,
  serverTopic,
  serverWildcard,
  ServerPresenceSchema,
  vehicleTopic,
  vehicleWildcard,
  type AssignmentMsg,
  type CancelMsg,
} from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import { ConfigError } from '../../config.ts';

const presenceParser = compileParser(ServerPresenceSchema);

export interface Bus {
  client: MqttClient;
  connected(): boolean;
  publishAssignment(vehicleId: string, msg: AssignmentMsg): Promise<void>;
  publishCancel(vehicleId: string, msg: CancelMsg): Promise<void>;
  /** `stored {seq, boot}` per vehicle (rows without `boot` are not confirmed to anyone). */
  publishStored(lastByVehicle: Map<string, { seq: number; boot?: string }>): void;
  /** `stored {mids, boot}`: the unit's crew messages `mids` are applied and committed. */
  publishCrewConfirmed(vehicleId: string, mids: number[], boot: string): void;
  /**
   * Several instances: empties this instance's presence and resolves once the broker delivered that
   * back to us (everything before it in our stream was ours to handle, nothing after), or after 3 s.
   */
  leave(): Promise<void>;
  /** Why the broker session is not healthy (another client took it over, recently), or null. */
  degraded(): string | null;
  close(): Promise<void>;
}

/**
 * A connection the broker closes this soon after accepting it was most likely taken over: another
 * client connected with our client id (brokers end the older connection). Two such clients take the
 * session from each other about once per reconnect period; a restarting broker does not accept first.
 * MQTT 3.1.1 gives no reason (MQTT 5 would send DISCONNECT 0x8E "session taken over").
 */
export const TAKEOVER_WINDOW_MS = 10_000;
/** How long a detected takeover keeps the session reported as degraded. */
export const TAKEOVER_DEGRADED_MS = 60_000;

export interface PresenceOptions {
  instanceId: string;
  /** Every instance's presence (`boot`) or leaving (null), in the order the broker delivers them. */
  onPresence(instanceId: string, boot: string | null): void;
}

export interface BusOptions {
  url: string;
  prefix: string;
  clientId: string;
  username?: string | null;
  password?: string | null;
  /**
   * Keep a persistent session (default). With the in-process broker it buys nothing (broker and
   * server stop together) and aedes walks the whole unacknowledged queue on every ack.
   */
  persistentSession?: boolean;
  /** Identifies this server run in `stored` acks (see StoredMsgSchema) and in its presence. */
  bootId: string;
  /**
   * Several instances sharing the broker: announce this one on `servers/{instanceId}` (retained,
   * emptied by its last will) and report every instance's presence, in stream order.
   */
  presence?: PresenceOptions;
  /** Called for every vehicle message; `done` must be called before the next is delivered. */
  onMessage(topic: string, payload: Buffer, done: () => void): void;
  /**
   * Every connection after the first: what arrived before it and was not yet confirmed may have gone
   * elsewhere (a session taken over, a broker that lost its queue), so confirmations start a new stint.
   */
  onReconnected?(): void;
  /** A connection closed by the broker within TAKEOVER_WINDOW_MS of being accepted. */
  onTakenOver?(): void;
  log: { warn(o: object, m: string): void; info(o: object, m: string): void; error(o: object, m: string): void };
  connectTimeoutMs?: number;
}

/**
 * The server's MQTT client: a persistent session (clean: false) with QoS 1 subscriptions, so
 * messages published while the server is down are delivered when it returns. MQTT 3.1.1 on the
 * wire: it works with the embedded aedes broker and with Mosquitto/EMQX alike.
 */
export async function connectBus(o: BusOptions): Promise<Bus> {
  const presence = o.presence;
  const ownTopic = presence ? serverTopic(o.prefix, presence.instanceId) : null;
  const client = mqtt.connect(o.url, {
    clientId: o.clientId,
    ...(o.username ? { username: o.username, password: o.password ?? '' } : {}),
    clean: o.persistentSession === false,
    protocolVersion: 4,
    reconnectPeriod: 1000,
    connectTimeout: o.connectTimeoutMs ?? 10_000,
    // A dead instance's vehicles move to the others when the broker publishes this (at once for a
    // killed process; after 1.5 keepalives for a lost machine).
    ...(ownTopic ? { will: { topic: ownTopic, payload: Buffer.alloc(0), qos: 1 as const, retain: true }, keepalive: 10 } : {}),
  });
  let left: (() => void) | null = null;
  // mqtt.js calls handleMessage for each incoming publish and waits for its callback (backpressure).
  client.handleMessage = (packet, callback) => {
    const instanceId = presence ? parseServerTopic(o.prefix, packet.topic) : null;
    if (presence && instanceId !== null) {
      const payload = packet.payload as Buffer;
      if (payload.length === 0) {
        presence.onPresence(instanceId, null);
        if (packet.topic === ownTopic) left?.();
      } else {
        const r = presenceParser.parseJson(payload);
        if (r.ok) presence.onPresence(instanceId, r.value.boot);
        else o.log.warn({ topic: packet.topic, error: r.error }, 'bad server presence ignored');
      }
      return callback();
    }
    o.onMessage(packet.topic, packet.payload as Buffer, () => callback());
  };
  await new Promise<void>((resolve, reject) => {
    // Start-up only: once connected, errors are logged and mqtt.js keeps reconnecting.
    const done = () => {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
    };
    const onConnect = () => {
      done();
      resolve();
    };
    const onError = (err: Error) => {
      done();
      client.end(true);
      reject(new ConfigError(`cannot connect to the MQTT broker at ${o.url} (MQTT_URL): ${err.message}`));
    };
    const timer = setTimeout(() => {
      done();
      client.end(true);
      reject(new ConfigError(`cannot reach the MQTT broker at ${o.url} (MQTT_URL): no answer within ${(o.connectTimeoutMs ?? 10_000) / 1000} s`));
    }, o.connectTimeoutMs ?? 10_000);
    client.on('connect', onConnect);
    client.on('error', onError);
  });
  let connectedAt = Date.now();
  let ending = false;
  let takenOverAt = -Infinity;
  client.on('connect', () => {
    connectedAt = Date.now();
    o.onReconnected?.();
  });
  client.on('close', () => {
    if (ending || connectedAt === 0) return;
    const livedMs = Date.now() - connectedAt;
    connectedAt = 0;
    if (livedMs >= TAKEOVER_WINDOW_MS) return;
    takenOverAt = Date.now();
    o.log.error({ clientId: o.clientId, livedMs }, 'MQTT session taken over: the broker closed our connection right after accepting it; another client uses this client id (same MQTT_PREFIX and INSTANCE_ID, or a copied MQTT_USERNAME with use_username_as_clientid)');
    o.onTakenOver?.();
  });
  client.on('error', (err) => o.log.warn({ err }, 'MQTT client error'));
  client.on('offline', () => o.log.warn({}, 'MQTT broker unreachable; reconnecting'));
  client.on('reconnect', () => o.log.info({}, 'MQTT reconnecting'));
  await client.subscribeAsync(
    {
      [vehicleWildcard(o.prefix, 'position')]: { qos: 1 },
      [vehicleWildcard(o.prefix, 'status')]: { qos: 1 },
      [vehicleWildcard(o.prefix, 'ack')]: { qos: 1 },
      // Phones running OwnTracks publish under its own default topic tree.
      'owntracks/+/+': { qos: 1 },
      ...(presence ? { [serverWildcard(o.prefix)]: { qos: 1 as const } } : {}),
    },
  );
  // After the subscription (the live set arrives first); again after every reconnect (a broker
  // restarted without persistence forgot it).
  const announce = () => {
    if (!ownTopic) return;
    client.publish(ownTopic, JSON.stringify({ boot: o.bootId }), { qos: 1, retain: true }, (err) => {
      if (err) o.log.warn({ err }, 'presence not published');
    });
  };
  if (ownTopic) {
    announce();
    client.on('connect', announce);
  }
  return {
    client,
    connected: () => client.connected,
    publishAssignment: async (vehicleId, msg) => {
      await client.publishAsync(vehicleTopic(o.prefix, vehicleId, 'assignment'), JSON.stringify(msg), { qos: 1 });
    },
    publishCancel: async (vehicleId, msg) => {
      await client.publishAsync(vehicleTopic(o.prefix, vehicleId, 'cancel'), JSON.stringify(msg), { qos: 1 });
    },
    publishStored: (last) => {
      for (const [vehicleId, { seq, boot }] of last) {
        if (boot === undefined) continue;
        client.publish(vehicleTopic(o.prefix, vehicleId, 'stored'), JSON.stringify({ seq, boot }), { qos: 1 }, (err) => {
          if (err) o.log.warn({ err, vehicleId }, 'stored ack not published');
        });
      }
    },
    publishCrewConfirmed: (vehicleId, mids, boot) => {
      client.publish(vehicleTopic(o.prefix, vehicleId, 'stored'), JSON.stringify({ mids, boot }), { qos: 1 }, (err) => {
        if (err) o.log.warn({ err, vehicleId }, 'crew message confirmation not published');
      });
    },
    leave: async () => {
      if (!ownTopic || !client.connected) return;
      client.off('connect', announce);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 3000);
        left = () => {
          clearTimeout(timer);
          resolve();
        };
        client.publish(ownTopic, Buffer.alloc(0), { qos: 1, retain: true });
      });
    },
    degraded: () => (Date.now() - takenOverAt < TAKEOVER_DEGRADED_MS ? 'mqtt_session_taken_over' : null),
    // A graceful end waits for in-flight messages, which never complete while the broker is away.
    close: () => {
      ending = true;
      return client.connected
        ? Promise.race([client.endAsync(), new Promise<void>((r) => setTimeout(r, 2000).unref())]).then(() => client.endAsync(true))
        : client.endAsync(true);
    },
  };
}
