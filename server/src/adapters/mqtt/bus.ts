import mqtt, { type MqttClient } from 'mqtt';
import { vehicleTopic, vehicleWildcard, type AssignmentMsg, type CancelMsg } from '@lifeline/protocol';
import { ConfigError } from '../../config.ts';

export interface Bus {
  client: MqttClient;
  connected(): boolean;
  publishAssignment(vehicleId: string, msg: AssignmentMsg): Promise<void>;
  publishCancel(vehicleId: string, msg: CancelMsg): Promise<void>;
  publishStored(lastSeqByVehicle: Map<string, number>): void;
  /** `stored {mids, boot}`: the unit's crew messages `mids` are applied and committed. */
  publishCrewConfirmed(vehicleId: string, mids: number[]): void;
  close(): Promise<void>;
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
  /** Identifies this server run in `stored` acks (see StoredMsgSchema). */
  bootId: string;
  /** Called for every vehicle message; `done` must be called before the next is delivered. */
  onMessage(topic: string, payload: Buffer, done: () => void): void;
  log: { warn(o: object, m: string): void; info(o: object, m: string): void };
  connectTimeoutMs?: number;
}

/**
 * The server's MQTT client: a persistent session (clean: false) with QoS 1 subscriptions, so
 * messages published while the server is down are delivered when it returns. MQTT 3.1.1 on the
 * wire: it works with the embedded aedes broker and with Mosquitto/EMQX alike.
 */
export async function connectBus(o: BusOptions): Promise<Bus> {
  const client = mqtt.connect(o.url, {
    clientId: o.clientId,
    ...(o.username ? { username: o.username, password: o.password ?? '' } : {}),
    clean: o.persistentSession === false,
    protocolVersion: 4,
    reconnectPeriod: 1000,
    connectTimeout: o.connectTimeoutMs ?? 10_000,
  });
  // mqtt.js calls handleMessage for each incoming publish and waits for its callback (backpressure).
  client.handleMessage = (packet, callback) => {
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
    },
  );
  return {
    client,
    connected: () => client.connected,
    publishAssignment: async (vehicleId, msg) => {
      await client.publishAsync(vehicleTopic(o.prefix, vehicleId, 'assignment'), JSON.stringify(msg), { qos: 1 });
    },
    publishCancel: async (vehicleId, msg) => {
      await client.publishAsync(vehicleTopic(o.prefix, vehicleId, 'cancel'), JSON.stringify(msg), { qos: 1 });
    },
    publishStored: (lastSeq) => {
      for (const [vehicleId, seq] of lastSeq) {
        client.publish(vehicleTopic(o.prefix, vehicleId, 'stored'), JSON.stringify({ seq, boot: o.bootId }), { qos: 1 }, (err) => {
          if (err) o.log.warn({ err, vehicleId }, 'stored ack not published');
        });
      }
    },
    publishCrewConfirmed: (vehicleId, mids) => {
      client.publish(vehicleTopic(o.prefix, vehicleId, 'stored'), JSON.stringify({ mids, boot: o.bootId }), { qos: 1 }, (err) => {
        if (err) o.log.warn({ err, vehicleId }, 'crew message confirmation not published');
      });
    },
    // A graceful end waits for in-flight messages, which never complete while the broker is away.
    close: () =>
      client.connected
        ? Promise.race([client.endAsync(), new Promise<void>((r) => setTimeout(r, 2000).unref())]).then(() => client.endAsync(true))
        : client.endAsync(true),
  };
}
