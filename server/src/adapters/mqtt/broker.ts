import net from 'node:net';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { ConfigError } from '../../config.ts';
import { unitMay, verifyMosquittoHash } from '../auth/mqttCredentials.ts';

/** Broker-side authentication: units by their own credentials, the server by a process secret. */
export interface BrokerAuth {
  prefix: string;
  serverUser: string;
  serverSecret: string;
  /** The stored credential hash of a unit, or null when it has none. */
  unitHash(unitId: string): Promise<string | null>;
  onDenied?(what: string): void;
}

const who = new WeakMap<Client, { unit: string | null }>();

function authOptions(a: BrokerAuth): Partial<AedesOptions> {
  return {
    authenticate: (client, username, password, done) => {
      const secret = password ? Buffer.from(password).toString('utf8') : '';
      if (username === a.serverUser) {
        const ok = secret === a.serverSecret;
        if (ok) who.set(client, { unit: null });
        else a.onDenied?.('server credentials');
        return done(null, ok);
      }
      if (!username || !/^[A-Za-z0-9_-]{1,64}$/.test(username)) {
        a.onDenied?.('anonymous or malformed username');
        return done(null, false);
      }
      a.unitHash(username).then(
        (hash) => {
          const ok = hash !== null && verifyMosquittoHash(secret, hash);
          if (ok) who.set(client, { unit: username });
          else a.onDenied?.(`unit ${username}`);
          done(null, ok);
        },
        () => done(null, false),
      );
    },
    authorizePublish: (client, packet, done) => {
      const w = client ? who.get(client) : undefined;
      if (w && (w.unit === null || unitMay(a.prefix, w.unit, packet.topic, 'publish'))) return done(null);
      a.onDenied?.(`publish ${packet.topic}`);
      done(new Error('not authorised'));
    },
    authorizeSubscribe: (client, sub, done) => {
      const w = who.get(client);
      if (w && (w.unit === null || unitMay(a.prefix, w.unit, sub.topic, 'subscribe'))) return done(null, sub);
      a.onDenied?.(`subscribe ${sub.topic}`);
      done(null, null);
    },
  };
}

export interface EmbeddedBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The in-process MQTT 3.1.1 broker (aedes) used when MQTT_URL is unset. Agents connect to it over
 * TCP exactly as they would to Mosquitto, and so does the server's own ingest client.
 */
export async function startEmbeddedBroker(port: number, host: string, auth: BrokerAuth | null = null): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker({ maxClientsIdLength: 128, ...(auth ? authOptions(auth) : {}) });
  const server = net.createServer(broker.handle);
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
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => broker.close(() => resolve()));
      }),
  };
}
