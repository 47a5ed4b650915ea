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
import { Ownership, soleOwner } from './core/ownership.ts';
import { createDb, createPool, type Db } from './adapters/store/db.ts';
import { startEmbeddedPostgres, type EmbeddedPg } from './adapters/store/embeddedPostgres.ts';
import { listIncidents } from './adapters/store/incidents.ts';
import { migrate } from './adapters/store/migrate.ts';
import { PositionWriter, DEFAULT_WRITER, type PositionWriterOptions } from './adapters/store/positionWriter.ts';
import { DEFAULT_RETENTION, startPositionRetention } from './adapters/store/retention.ts';
import { demoAreaOf, seedDemo } from './adapters/store/seed.ts';
import { userForToken } from './adapters/store/users.ts';
import { listHospitals, loadVehicles } from './adapters/store/vehicles.ts';
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
  logger: Logger;
  /** Where the map opens and the demo fleet starts (MAP_CENTER, else the road graph's middle). */
  mapArea: MapArea;
  /** Several instances (REDIS_URL): which vehicles this one acts on; null when it runs alone. */
  ownership: Ownership | null;
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
      embeddedPg = await startEmbeddedPostgres(cfg.dataDir, logger);
      cleanups.push(() => embeddedPg!.stop());
      databaseUrl = embeddedPg.url;
    }
    const pool = createPool(databaseUrl);
    cleanups.push(() => pool.end());
    let stopping = false;
    cleanups.push(async () => {
      stopping = true;
    });
    // Connections dropped by the database's own shutdown are expected while stopping.
    pool.on('error', (err) => (stopping ? undefined : logger.warn({ err }, 'idle PostgreSQL connection failed')));
    const applied = await migrate(pool).catch((err: Error) => {
      throw Object.assign(new Error(`cannot prepare the database (DATABASE_URL): ${err.message}`), { cause: err });
    });
    if (applied.length) logger.info({ applied }, 'database migrations applied');
    const db = createDb(pool);
    // Demo hospitals follow the map: Bình Dương's for a map there, Hà Nội's real ones (OSM) for a
    // map there, none elsewhere (they would send every patient across the world): import the
    // area's own with npm run import-hospitals.
    if (cfg.seedDemo) {
      const seeded = await seedDemo(db, area);
      if (!demoAreaOf(area)) logger.info({ center: area.center }, 'no demo hospitals for this map area; import the area’s hospitals with npm run import-hospitals');
      else if (seeded) logger.info({ hospitals: seeded, area: demoAreaOf(area)!.name }, 'demo hospitals seeded');
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
    const owner = ownership ?? soleOwner(bootId);
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
            logger.warn({ what }, 'MQTT access denied');
          },
        };
      }
      broker = await startEmbeddedBroker(cfg.mqttPort, cfg.mqttHost, auth);
      cleanups.push(() => broker!.close());
      mqttUrl = broker.url;
      logger.info({ port: broker.port }, 'embedded MQTT broker listening');
    }

    // The bus is created after the writer and dispatch exist; messages wait in the broker until then.
    let bus: Bus | null = null;
    const writer = new PositionWriter(pool, (last) => bus?.publishStored(last), logger, { ...DEFAULT_WRITER, ...o.writer });
    cleanups.push(() => writer.stop());

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
    const app = buildApp(
      {
        db,
        fleet,
        counters,
        dispatch,
        trackers,
        hospitals: () => hospitals,
        refreshHospitals: async () => {
          hospitals = await listHospitals(db);
        },
        health: async () => ({
          db: await pool.query('SELECT 1').then(() => true, () => false),
          mqtt: bus?.connected() ?? false,
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
      },
      { logger, uiDir: o.uiDir, trustProxy: cfg.trustProxy, metrics: { metrics, token: cfg.metricsToken }, mqttPrefix: cfg.mqttPrefix },
    );
    realtime = new RealtimeGateway(
      app.server,
      {
        fleet,
        openIncidents: () => listIncidents(db, { open: true }),
        authenticate: (token) => userForToken(db, token),
        hospitalCases: (id) => dispatch.hospitalCases(id),
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
      owner,
      ...(fleetSync ? { shareFix: (id: string, fix: SharedFix) => fleetSync?.shareFix(id, fix) } : {}),
    });
    void app.register(osmandRoutes({ ingest, trackers, counters }));
    void app.register(basemapRoutes(basemap));
    void app.register(geocodeRoutes(geocoder));
    bus = await connectBus({
      url: mqttUrl,
      prefix: cfg.mqttPrefix,
      clientId: `lifeline-server-${cfg.instanceId}`,
      username: busUser,
      password: busPassword,
      persistentSession: broker === null,
      bootId,
      log: logger,
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
      await writer.drain().catch(() => undefined);
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
      logger,
      mapArea: area,
      ownership,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
