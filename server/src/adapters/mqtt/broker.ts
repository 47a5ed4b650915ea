import net from 'node:net';
import { Aedes } from 'aedes';
import { ConfigError } from '../../config.ts';

export interface EmbeddedBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The in-process MQTT 3.1.1 broker (aedes) used when MQTT_URL is unset. Agents connect to it over
 * TCP exactly as they would to Mosquitto, and so does the server's own ingest client.
 */
export async function startEmbeddedBroker(port: number, host: string): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker({ maxClientsIdLength: 128 });
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
