import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import type { AlertEvent, ClientToServerEvents, HospitalCase, Incident, ServerToClientEvents, User } from '@lifeline/protocol';
import { allowed } from '../core/access.ts';
import type { Fleet } from '../services/fleet.ts';
import type { SharedFix } from './mqtt/ingest.ts';
import { tokenFrom, tokenFromAuth } from './http/auth.ts';

const LIVE_ROOM = 'live';
const hospitalRoom = (id: string) => `hospital:${id}`;
const unitRoom = (id: string) => `unit:${id}`;
/** Every socket is in its user's room and its session's, so a revocation can end them on every instance. */
const userRoom = (id: string) => `user:${id}`;
const sessionRoom = (key: string) => `session:${key}`;

/** A session ended (logout) or all of a user's (disabled). */
export interface Revocation {
  userId: string;
  sessionKey?: string;
}

export interface RealtimeDeps {
  fleet: Fleet;
  openIncidents(): Promise<Incident[]>;
  authenticate(token: string): Promise<User | null>;
  hospitalCases(hospitalId: string): Promise<HospitalCase[]>;
  /** The session key of a token (its hash): the room name of the sockets it opened. */
  sessionKey(token: string): string;
  /** Drops this instance's cached sessions of a revocation. */
  forgetSessions(r: Revocation): void;
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
  sessionKey: string;
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
  /** A session or a user was revoked: forget cached sessions. */
  revoked: (r: Revocation) => void;
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
    if (this.clustered) this.io.on('revoked', (r) => d.forgetSessions(r));
    this.io.use((socket, next) => {
      // Both parsers are total: a throw here would be uncaught and end the process (issue 11).
      const token = tokenFromAuth(socket.handshake.auth) ?? tokenFrom(socket.handshake.headers);
      if (!token) return next(new Error('UNAUTHORIZED'));
      d.authenticate(token).then(
        (user) => {
          if (!user) return next(new Error('UNAUTHORIZED'));
          socket.data.user = user;
          socket.data.sessionKey = d.sessionKey(token);
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
    void socket.join([userRoom(user.id), sessionRoom(socket.data.sessionKey)]);
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

  /**
   * Ends a session's (or a user's) live sockets at once, on every instance (the adapter carries
   * `disconnectSockets`), and makes every instance forget the cached sessions.
   */
  revoke(r: Revocation): void {
    this.d.forgetSessions(r);
    if (this.clustered) this.io.serverSideEmit('revoked', r);
    this.io.in(r.sessionKey ? sessionRoom(r.sessionKey) : userRoom(r.userId)).disconnectSockets(true);
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
