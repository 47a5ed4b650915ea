import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import type { AlertEvent, ClientToServerEvents, HospitalCase, Incident, ServerToClientEvents, User } from '@lifeline/protocol';
import { allowed } from '../core/access.ts';
import type { Fleet } from '../services/fleet.ts';
import type { SharedFix } from './mqtt/ingest.ts';
import { tokenFrom } from './http/auth.ts';

const LIVE_ROOM = 'live';
const hospitalRoom = (id: string) => `hospital:${id}`;
const unitRoom = (id: string) => `unit:${id}`;

export interface RealtimeDeps {
  fleet: Fleet;
  openIncidents(): Promise<Incident[]>;
  authenticate(token: string): Promise<User | null>;
  hospitalCases(hospitalId: string): Promise<HospitalCase[]>;
}

export interface RealtimeOptions {
  /** Unit deltas are merged and sent at most this often, ms (4 frames per second by default). */
  frameMs: number;
  /** Hospital case lists (live ETA) are refreshed this often, ms. */
  hospitalRefreshMs: number;
  /**
   * Several instances: the socket.io adapter that carries broadcasts to the others' clients (Redis).
   * Incidents, timeline and alerts go through it once; unit deltas and hospital case lists are
   * computed by every instance from its own complete index and sent to its own clients only.
   */
  adapter?: ServerOptions['adapter'];
}

interface SocketData {
  user: User;
}

/** What instances tell each other through the adapter (`serverSideEmit`: to every other instance). */
export interface InterServerEvents {
  /** These units' status, incident or online flag changed in the database: re-read them. */
  units: (vehicleIds: string[]) => void;
  /** A position that reached one instance only (over HTTP), for the others' live index. */
  fix: (vehicleId: string, fix: SharedFix) => void;
  /** A case list of this hospital changed. */
  hospitalDirty: (hospitalId: string) => void;
  /** A phone was mapped to a unit: reload the tracker mappings. */
  trackers: () => void;
}

/**
 * socket.io gateway. Every connection is authenticated in the handshake and joined to the rooms
 * its role may see. A live-map client is joined *before* its snapshot is built, then gets deltas:
 * nothing that changes in between is lost (the snapshot's `seq` tells the client which deltas it
 * already has; incidents carry a `version`).
 */
export class RealtimeGateway {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
  readonly clustered: boolean;
  private seq = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly dirtyHospitals = new Set<string>();

  constructor(
    httpServer: HttpServer,
    private readonly d: RealtimeDeps,
    opts: RealtimeOptions = { frameMs: 250, hospitalRefreshMs: 2000 },
  ) {
    this.io = new Server(httpServer, { serveClient: false, maxHttpBufferSize: 64 * 1024, ...(opts.adapter ? { adapter: opts.adapter } : {}) });
    this.clustered = opts.adapter !== undefined;
    if (this.clustered) this.io.on('hospitalDirty', (id) => this.dirtyHospitals.add(id));
    this.io.use((socket, next) => {
      const token = (typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : null) ?? tokenFrom(socket.handshake.headers);
      if (!token) return next(new Error('UNAUTHORIZED'));
      d.authenticate(token).then(
        (user) => {
          if (!user) return next(new Error('UNAUTHORIZED'));
          socket.data.user = user;
          next();
        },
        () => next(new Error('UNAVAILABLE')),
      );
    });
    this.io.on('connection', (socket) => this.onConnection(socket));
    this.timers.push(setInterval(() => this.flush(), opts.frameMs));
    this.timers.push(setInterval(() => void this.refreshHospitals(true), opts.hospitalRefreshMs));
    for (const t of this.timers) t.unref();
  }

  private onConnection(socket: Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>): void {
    const user = socket.data.user;
    if (allowed(user.role, 'viewOperations')) {
      void socket.join(LIVE_ROOM);
      this.d
        .openIncidents()
        .then((incidents) => {
          // Units and seq are read together, synchronously, after the (async) incident query.
          socket.emit('snapshot', { seq: this.seq, units: this.d.fleet.views(), incidents });
        })
        .catch(() => socket.disconnect(true));
    } else if (user.role === 'hospital' && user.hospitalId) {
      const id = user.hospitalId;
      void socket.join(hospitalRoom(id));
      void this.d.hospitalCases(id).then((cases) => socket.emit('hospitalCases', { hospitalId: id, cases }));
    } else if (user.role === 'crew' && user.vehicleId) {
      void socket.join(unitRoom(user.vehicleId));
    } else if (user.role === 'agency' && user.agencyId) {
      // Connected but in no room: an agency gets no fleet or incident data; its reports are polled (REST).
    } else {
      socket.disconnect(true);
    }
  }

  /**
   * Sends this instance's live clients a fresh snapshot: after Redis was away they may have missed
   * other instances' incident broadcasts.
   */
  async resnapshot(): Promise<void> {
    const incidents = await this.d.openIncidents();
    this.io.local.to(LIVE_ROOM).emit('snapshot', { seq: this.seq, units: this.d.fleet.views(), incidents });
  }

  /** Sends the units changed since the previous frame, if any. */
  flush(): void {
    const units = this.d.fleet.takeDirty();
    if (units.length > 0) {
      this.seq++;
      // This instance's own clients only: each instance sends the deltas of its own (complete) index.
      this.io.local.to(LIVE_ROOM).emit('units', { seq: this.seq, units });
    }
    if (this.dirtyHospitals.size > 0) void this.refreshHospitals(false);
  }

  incidentChanged(incident: Incident): void {
    this.io.to(LIVE_ROOM).emit('incident', incident);
    if (incident.vehicleId) this.io.to(unitRoom(incident.vehicleId)).emit('incident', incident);
    if (incident.hospitalId) {
      this.dirtyHospitals.add(incident.hospitalId);
      if (this.clustered) this.io.serverSideEmit('hospitalDirty', incident.hospitalId);
    }
  }

  /** The timeline of an incident grew without the incident changing: dispatch desks re-read it when shown. */
  timelineAppended(incidentId: string, type: string): void {
    this.io.to(LIVE_ROOM).emit('timeline', { incidentId, type });
  }

  alert(alert: AlertEvent): void {
    this.io.to(LIVE_ROOM).emit('alert', alert);
  }

  /** Pushes case lists to hospital rooms: the changed ones, or (periodically, for ETA) all with members. */
  private async refreshHospitals(all: boolean): Promise<void> {
    const ids = new Set(this.dirtyHospitals);
    this.dirtyHospitals.clear();
    if (all) {
      for (const room of this.io.of('/').adapter.rooms.keys()) if (room.startsWith('hospital:')) ids.add(room.slice('hospital:'.length));
    }
    for (const id of ids) {
      if (!this.io.of('/').adapter.rooms.has(hospitalRoom(id))) continue;
      const cases = await this.d.hospitalCases(id).catch(() => null);
      if (cases) this.io.local.to(hospitalRoom(id)).emit('hospitalCases', { hospitalId: id, cases });
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    // Only ours: through the adapter it would disconnect every instance's clients.
    this.io.local.disconnectSockets(true);
    await this.io.close().catch(() => undefined);
  }
}
