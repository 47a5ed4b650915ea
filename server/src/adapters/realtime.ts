import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { AlertEvent, ClientToServerEvents, Incident, ServerToClientEvents } from '@lifeline/protocol';
import type { Fleet } from '../services/fleet.ts';

const LIVE_ROOM = 'live';

export interface RealtimeOptions {
  /** Unit deltas are merged and sent at most this often, ms (4 frames per second by default). */
  frameMs: number;
}

/**
 * socket.io gateway. A client joins the live room first, then gets its snapshot, then deltas:
 * nothing that changes in between is lost (the snapshot's `seq` tells the client which deltas
 * it already has; incidents carry a `version`).
 */
export class RealtimeGateway {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private seq = 0;
  private timer: NodeJS.Timeout;

  constructor(
    httpServer: HttpServer,
    private readonly fleet: Fleet,
    private readonly openIncidents: () => Promise<Incident[]>,
    opts: RealtimeOptions = { frameMs: 250 },
  ) {
    this.io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
    this.io.on('connection', (socket) => {
      void socket.join(LIVE_ROOM);
      this.openIncidents()
        .then((incidents) => {
          // Units and seq are read together, synchronously, after the (async) incident query.
          socket.emit('snapshot', { seq: this.seq, units: this.fleet.views(), incidents });
        })
        .catch(() => socket.disconnect(true));
    });
    this.timer = setInterval(() => this.flush(), opts.frameMs);
    this.timer.unref();
  }

  /** Sends the units changed since the previous frame, if any. */
  flush(): void {
    const units = this.fleet.takeDirty();
    if (units.length === 0) return;
    this.seq++;
    this.io.to(LIVE_ROOM).emit('units', { seq: this.seq, units });
  }

  incidentChanged(incident: Incident): void {
    this.io.to(LIVE_ROOM).emit('incident', incident);
  }

  alert(alert: AlertEvent): void {
    this.io.to(LIVE_ROOM).emit('alert', alert);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.io.close().catch(() => undefined);
  }
}
