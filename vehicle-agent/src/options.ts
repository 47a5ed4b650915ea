import { DEFAULT_TOPIC_PREFIX, type HospitalSummary } from '@lifeline/protocol';
import { kmhToMps } from './core/geo.ts';
import type { RoadNetwork } from './core/roads.ts';
import { DEFAULT_SIM_CONFIG, type IdleMode, type SimConfig } from './core/sim.ts';

export type LogLevel = 'info' | 'warn' | 'error';
/** Where the agent reports what happens; the API default is silent, the CLI prints. */
export type Log = (level: LogLevel, msg: string, data?: Record<string, unknown>) => void;
export const silentLog: Log = () => {};

export const DEFAULT_MQTT_URL = 'mqtt://127.0.0.1:1883';

/** Options every simulated vehicle shares (a fleet passes them to each of its vehicles). */
export interface SimulationOptions {
  /** Broker URL. Default: env MQTT_URL, else mqtt://127.0.0.1:1883. */
  mqttUrl?: string;
  /** Topic prefix. Default: env MQTT_PREFIX, else 'lifeline/v1'. */
  prefix?: string;
  /** Hospitals to pick the nearest from when an assignment names none. */
  hospitals?: readonly HospitalSummary[];
  /** Driving speed on a job, km/h. Default 40. */
  speedKmh?: number;
  /** Speed while wandering idle, km/h. Default 15. */
  idleSpeedKmh?: number;
  /** 'wander' (default): idle units drift within `wanderRadiusM` of their start point; 'park': they stay put. */
  idle?: IdleMode;
  /** Default 500 m. */
  wanderRadiusM?: number;
  /** Simulated seconds per real second. Default 1. */
  timeScale?: number;
  /** Real milliseconds between position messages. Default 1000. */
  intervalMs?: number;
  /** Simulated seconds on scene. Default 120. */
  sceneDwellSec?: number;
  /** Simulated seconds at the hospital. Default 180. */
  hospitalDwellSec?: number;
  /** Roads to drive along (a loaded road graph); default none: straight lines. A fleet also starts its units on them. */
  roads?: RoadNetwork;
  /** Give up starting when the broker has not accepted the connection by then. Default 10 000 ms. */
  connectTimeoutMs?: number;
  log?: Log;
}

export interface ResolvedSimulation {
  mqttUrl: string;
  prefix: string;
  hospitals: readonly HospitalSummary[];
  timeScale: number;
  intervalMs: number;
  connectTimeoutMs: number;
  sim: SimConfig;
  log: Log;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}
function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a number ≥ 0, got ${value}`);
  return value;
}

/** Applies defaults and checks ranges; throws RangeError on a caller bug (the CLI validates first). */
export function resolveSimulation(o: SimulationOptions, env: NodeJS.ProcessEnv = process.env): ResolvedSimulation {
  const idle = o.idle ?? DEFAULT_SIM_CONFIG.idle;
  if (idle !== 'wander' && idle !== 'park') throw new RangeError(`idle must be 'wander' or 'park', got ${String(idle)}`);
  return {
    mqttUrl: o.mqttUrl ?? (env.MQTT_URL || undefined) ?? DEFAULT_MQTT_URL, // empty = unset
    prefix: o.prefix ?? (env.MQTT_PREFIX || undefined) ?? DEFAULT_TOPIC_PREFIX,
    hospitals: o.hospitals ?? [],
    timeScale: positive('timeScale', o.timeScale ?? 1),
    intervalMs: positive('intervalMs', o.intervalMs ?? 1000),
    connectTimeoutMs: positive('connectTimeoutMs', o.connectTimeoutMs ?? 10_000),
    log: o.log ?? silentLog,
    sim: {
      ...DEFAULT_SIM_CONFIG,
      idle,
      speedMps: o.speedKmh === undefined ? DEFAULT_SIM_CONFIG.speedMps : kmhToMps(positive('speedKmh', o.speedKmh)),
      idleSpeedMps:
        o.idleSpeedKmh === undefined ? DEFAULT_SIM_CONFIG.idleSpeedMps : kmhToMps(positive('idleSpeedKmh', o.idleSpeedKmh)),
      wanderRadiusM: nonNegative('wanderRadiusM', o.wanderRadiusM ?? DEFAULT_SIM_CONFIG.wanderRadiusM),
      sceneDwellSec: nonNegative('sceneDwellSec', o.sceneDwellSec ?? DEFAULT_SIM_CONFIG.sceneDwellSec),
      hospitalDwellSec: nonNegative('hospitalDwellSec', o.hospitalDwellSec ?? DEFAULT_SIM_CONFIG.hospitalDwellSec),
      route: o.roads ? (from, to) => o.roads!.route(from, to) : null,
    },
  };
}
