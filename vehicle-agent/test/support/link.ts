import { once } from 'node:events';
import net from 'node:net';
import { freePort } from '../../../server/src/adapters/freePort.ts';

/**
 * The mobile link between an agent and the broker: a TCP relay the test can cut (every connection
 * dropped, new ones refused) and restore, while the broker and the server stay up.
 */
export class Link {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly targetPort: number) {}
  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    if (this.server) return;
    if (!this.port) this.port = await freePort();
    const server = net.createServer((client) => {
      const upstream = net.connect({ host: '127.0.0.1', port: this.targetPort });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
}
