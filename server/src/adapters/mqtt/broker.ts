import net from 'node:net';
import { Aedes, type AedesOptions, type AuthenticateError, type Client } from 'aedes';
import { ConfigError } from '../../config.ts';
import { clientIdAllowed, unitMay, verifyMosquittoHash } from '../auth/mqttCredentials.ts';
import { PacketSizeGuard } from './packetGuard.ts';

/**
 * Largest MQTT packet the brokers accept (the generated Mosquitto config says the same with
 * `max_packet_size`): far above the server's 4 KB payload check, far below what would let one client
 * make the broker buffer megabytes.
 */
export const MAX_PACKET_BYTES = 16 * 1024;

/** Broker-side authentication: units by their own credentials, the server by a process secret. */
export interface BrokerAuth {
  prefix: string;
  serverUser: string;
  serverSecret: string;
  /** The stored credential hash of a unit, or null when it has none. */
  unitHash(unitId: string): Promise<string | null>;
  /** Every refusal (counted by the caller; logged at a limited rate). */
  onDenied?(what: string): void;
}

const who = new WeakMap<Client, { unit: string | null }>();

const refused = (returnCode: 2 | 5, message: string): AuthenticateError => Object.assign(new Error(message), { returnCode }) as AuthenticateError;

/** Revocations so far per unit: a login whose check began before one is refused (see `endUnit`). */
type Revocations = Map<string, number>;

function authOptions(a: BrokerAuth, revocations: Revocations): Partial<AedesOptions> {
  return {
    authenticate: (client, username, password, done) => {
      const secret = password ? Buffer.from(password).toString('utf8') : '';
      if (username === a.serverUser) {
        if (secret !== a.serverSecret) {
          a.onDenied?.('server credentials');
          return done(refused(5, 'not authorised'), false);
        }
        if (!clientIdAllowed(client.id, null)) {
          a.onDenied?.('server client id');
          return done(refused(2, 'identifier rejected'), false);
        }
        who.set(client, { unit: null });
        return done(null, true);
      }
      if (!username || !/^[A-Za-z0-9_-]{1,64}$/.test(username)) {
        a.onDenied?.('anonymous or malformed username');
        return done(refused(5, 'not authorised'), false);
      }
      // Before the password: a refused id costs no database read and no hash.
      if (!clientIdAllowed(client.id, username)) {
        a.onDenied?.('client id of another client');
        return done(refused(2, 'identifier rejected'), false);
      }
      const epoch = revocations.get(username) ?? 0;
      a.unitHash(username).then(
        (hash) => {
          const ok = hash !== null && verifyMosquittoHash(secret, hash) && (revocations.get(username) ?? 0) === epoch;
          if (ok) who.set(client, { unit: username });
          else a.onDenied?.('unit credentials');
          done(ok ? null : refused(5, 'not authorised'), ok);
        },
        () => done(refused(5, 'not authorised'), false),
      );
    },
    authorizePublish: (client, packet, done) => {
      const w = client ? who.get(client) : undefined;
      if (w && (w.unit === null || unitMay(a.prefix, w.unit, packet.topic, 'publish'))) return done(null);
      a.onDenied?.('publish outside own topics');
      done(new Error('not authorised'));
    },
    authorizeSubscribe: (client, sub, done) => {
      const w = who.get(client);
      if (w && (w.unit === null || unitMay(a.prefix, w.unit, sub.topic, 'subscribe'))) return done(null, sub);
      a.onDenied?.('subscribe outside own topics');
      done(null, null);
    },
  };
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  /**
   * Ends every live session of a unit at once (its credentials were re-issued): the connection is
   * closed and a login already being checked with the old secret is refused.
   */
  endUnit(unitId: string): void;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** null: anonymous access (MQTT_AUTH=0). */
  auth: BrokerAuth | null;
  /** Called when a connection is dropped for a packet over MAX_PACKET_BYTES. */
  onOversize?(): void;
}

/**
 * The in-process MQTT 3.1.1 broker (aedes) used when MQTT_URL is unset. Agents connect to it over
 * TCP exactly as they would to Mosquitto, and so does the server's own ingest client.
 */
export async function startEmbeddedBroker(port: number, host: string, o: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const revocations: Revocations = new Map();
  const broker = await Aedes.createBroker({ maxClientsIdLength: 128, ...(o.auth ? authOptions(o.auth, revocations) : {}) });
  const clients = new Set<Client>();
  broker.on('client', (c) => clients.add(c));
  broker.on('clientDisconnect', (c) => clients.delete(c));
  const server = net.createServer((socket) => {
    broker.handle(socket);
    // Watches the same bytes aedes reads and cuts the connection at an oversize header.
    const guard = new PacketSizeGuard(MAX_PACKET_BYTES);
    const watch = (chunk: Buffer) => {
      if (guard.feed(chunk)) return;
      socket.off('data', watch);
      o.onOversize?.();
      socket.destroy();
    };
    socket.on('data', watch);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new ConfigError(
              `MQTT port ${port} is already in use (another broker, e.g. Mosquitto, may be running). ` +
                `Either use that broker with MQTT_URL=mqtt://127.0.0.1:${port}, or give the embedded broker another port, e.g. MQTT_PORT=${port + 1}.`,
            )
          : err,
      );
    });
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as net.AddressInfo).port;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    port: actual,
    url: `mqtt://127.0.0.1:${actual}`,
    endUnit: (unitId) => {
      revocations.set(unitId, (revocations.get(unitId) ?? 0) + 1);
      for (const c of clients) if (who.get(c)?.unit === unitId) c.close();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => broker.close(() => resolve()));
      }),
  };
}
