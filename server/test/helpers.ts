import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pg from 'pg';
import pino from 'pino';
import { io as ioClient, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Role, ServerToClientEvents } from '@lifeline/protocol';
import { optional, tcpOpen } from '@lifeline/testing';
import { createUser } from '../src/adapters/store/users.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { startServer, type LifelineServer, type StartOptions } from '../src/server.ts';

export type Mode = 'embedded' | 'external';

export const EXTERNAL_PG = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const EXTERNAL_MQTT = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
export const REDIS_HINT = 'start Redis on 127.0.0.1:6379 (Debian/Ubuntu: `apt-get install redis-server`) or set TEST_REDIS_URL';

export { tcpOpen };

const EXTERNAL_HINT = 'start PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and an MQTT broker (Mosquitto) on 127.0.0.1:1883, or point TEST_PG_URL / TEST_MQTT_URL at yours';

/**
 * Why the external-services run cannot happen here, or null when PostgreSQL and the broker answer.
 * A missing service is printed once per suite, or fails the suite with LIFELINE_REQUIRE_ALL=1 (CI).
 */
export async function externalUnavailable(): Promise<string | null> {
  const pgUrl = new URL(EXTERNAL_PG);
  const mqttUrl = new URL(EXTERNAL_MQTT);
  let missing: string | null = null;
  if (!(await tcpOpen(pgUrl.hostname, Number(pgUrl.port || 5432)))) missing = `no PostgreSQL at ${pgUrl.host}`;
  else if (!(await tcpOpen(mqttUrl.hostname, Number(mqttUrl.port || 1883)))) missing = `no MQTT broker at ${mqttUrl.host}`;
  optional('PostgreSQL and MQTT broker for the external-services run', missing, EXTERNAL_HINT);
  return missing;
}

export const randomId = () => Math.random().toString(36).slice(2, 10);

/** A fresh environment for one test server: its own data dir, or its own database and topic prefix. */
export class TestEnv {
  readonly id = randomId();
  dataDir = '';
  dbName = '';
  /**
   * `mqttAuth: 'off'` (default) runs the embedded broker with an explicit MQTT_AUTH=0, for tests about
   * something else that connect anonymous clients; `'default'` leaves the server's default (on).
   */
  constructor(
    readonly mode: Mode,
    readonly opts: { mqttAuth?: 'off' | 'default' } = {},
  ) {}

  async setup(): Promise<void> {
    // World-traversable: as root, the embedded cluster runs as the `postgres` user.
    this.dataDir = await mkdtemp(path.join(os.tmpdir(), 'lifeline-test-'));
    if (this.mode === 'external') {
      this.dbName = `lifeline_test_${this.id}`;
      const c = new pg.Client({ connectionString: EXTERNAL_PG });
      await c.connect();
      await c.query(`CREATE DATABASE ${this.dbName}`);
      await c.end();
    }
  }

  config(extra: Record<string, string> = {}): Config {
    const base: Record<string, string> = {
      PORT: '0',
      HOST: '127.0.0.1',
      MQTT_PORT: '0',
      MQTT_HOST: '127.0.0.1',
      DATA_DIR: this.dataDir,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      INSTANCE_ID: `test-${this.id}`,
      ...(this.opts.mqttAuth === 'default' ? {} : { MQTT_AUTH: '0' }),
    };
    if (this.mode === 'external') {
      const u = new URL(EXTERNAL_PG);
      u.pathname = `/${this.dbName}`;
      base.DATABASE_URL = u.toString();
      base.MQTT_URL = EXTERNAL_MQTT;
      base.MQTT_PREFIX = `lifeline-test-${this.id}/v1`;
    }
    return loadConfig({ ...base, ...extra });
  }

  /**
   * Starts a server and logs in a dispatcher, whose token `api()` and `connectSocket()` then use by
   * default for this server's URL. `login(server, role)` gives tokens for the other roles.
   */
  async start(extra: Record<string, string> = {}, opts: StartOptions = {}): Promise<LifelineServer> {
    const level = process.env.TEST_LOG_LEVEL ?? 'silent';
    const server = await startServer(this.config(extra), { logger: pino({ level }), realtimeFrameMs: 50, ...opts });
    defaultTokens.set(server.url, await login(server, 'dispatcher'));
    return server;
  }

  async teardown(): Promise<void> {
    if (this.mode === 'external' && this.dbName) {
      const c = new pg.Client({ connectionString: EXTERNAL_PG });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${this.dbName} WITH (FORCE)`);
      await c.end();
    }
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}

export async function connectMqtt(url: string, clientId = `test-${randomId()}`): Promise<MqttClient> {
  return mqtt.connectAsync(url, { clientId, protocolVersion: 4, clean: true, reconnectPeriod: 0 });
}

/** Resolves with the first message on `topic` that `accept` takes. Subscribe happens before the return. */
export async function nextMessage(
  client: MqttClient,
  topic: string,
  accept: (payload: unknown) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<{ promise: Promise<unknown> }> {
  let resolveFn!: (v: unknown) => void;
  let rejectFn!: (e: Error) => void;
  const promise = new Promise<unknown>((res, rej) => {
    resolveFn = res;
    rejectFn = rej;
  });
  const timer = setTimeout(() => rejectFn(new Error(`no message on ${topic} within ${timeoutMs} ms`)), timeoutMs);
  const onMessage = (t: string, payload: Buffer) => {
    if (t !== topic) return;
    const value = JSON.parse(payload.toString());
    if (!accept(value)) return;
    clearTimeout(timer);
    client.off('message', onMessage);
    resolveFn(value);
  };
  client.on('message', onMessage);
  await client.subscribeAsync(topic, { qos: 1 });
  return { promise };
}

/** Polls `fn` until it returns a truthy value (the condition), or fails after `timeoutMs`. */
export async function waitFor<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 15_000, everyMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const defaultTokens = new Map<string, string>();
export const TEST_PASSWORD = 'correct horse battery staple';

/**
 * A session token for a user of `role` (created on first use): hospital users belong to the first
 * demo hospital unless `hospitalId` is given, crew users to `vehicleId` (default CREW-1), agency users
 * to the first demo agency unless `agencyId` is given.
 */
export async function login(server: LifelineServer, role: Role, opts: { username?: string; hospitalId?: string; vehicleId?: string; agencyId?: string } = {}): Promise<string> {
  const username = opts.username ?? `test-${role}`;
  const hospitalId = role === 'hospital' ? (opts.hospitalId ?? (await server.db.selectFrom('hospitals').select('id').orderBy('id').executeTakeFirstOrThrow()).id) : undefined;
  const vehicleId = role === 'crew' ? (opts.vehicleId ?? 'CREW-1') : undefined;
  const agencyId = role === 'agency' ? (opts.agencyId ?? (await server.db.selectFrom('agencies').select('id').orderBy('id').executeTakeFirstOrThrow()).id) : undefined;
  await createUser(server.db, { username, displayName: username, password: TEST_PASSWORD, role, hospitalId, vehicleId, agencyId });
  const r = await api<{ token: string }>(server.url, 'POST', '/api/auth/login', { username, password: TEST_PASSWORD }, null);
  if (r.status !== 200) throw new Error(`login as ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}

export function connectSocket(url: string, token: string | null = defaultTokens.get(url) ?? null): LiveSocket {
  return ioClient(url, { transports: ['websocket'], reconnection: false, auth: token ? { token } : {} });
}

/** Calls the REST API; `token` defaults to the dispatcher logged in by `TestEnv.start`, null sends none. */
/**
 * Registers a unit as an admin does before issuing it MQTT credentials or mapping a tracker to it
 * (both refuse an unregistered unit); a unit that already exists is fine.
 */
export async function registerUnit(server: LifelineServer, adminToken: string, id: string): Promise<void> {
  const r = await api(server.url, 'POST', '/api/vehicles', { id, callSign: id }, adminToken);
  if (r.status !== 201 && r.status !== 409) throw new Error(`registering unit ${id}: ${r.status} ${JSON.stringify(r.body)}`);
}

export async function api<T = any>(
  base: string,
  method: string,
  p: string,
  body?: unknown,
  token: string | null | undefined = undefined,
  extra: { signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> {
  const auth = token === undefined ? defaultTokens.get(base) : token;
  const res = await fetch(base + p, {
    method,
    signal: extra.signal,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...extra.headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T };
}

/** Metres → degrees of latitude (for placing test units at known distances). */
export const mToLat = (m: number) => m / 111_195;

/** SIGKILL for a child process (a broker, a database, a server); resolves once it has exited. */
export async function killChild(p: ChildProcess | null): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = once(p, 'exit');
  p.kill('SIGKILL');
  await exited;
}
