import { Writable } from 'node:stream';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import pino, { type Logger } from 'pino';
import { expect } from 'vitest';
import type { LifelineServer } from '../../src/server.ts';
import { api, randomId, registerUnit } from '../helpers.ts';

export interface UnitCreds {
  username: string;
  password: string;
}

/** Issues (or re-issues) a unit's MQTT credentials through the admin route. */
export async function issueCredentials(server: LifelineServer, adminToken: string, unit: string): Promise<UnitCreds> {
  await registerUnit(server, adminToken, unit);
  const r = await api<UnitCreds>(server.url, 'POST', `/api/vehicles/${unit}/credentials`, undefined, adminToken);
  expect(r.status).toBe(200);
  return r.body;
}

/** One MQTT 3.1.1 connection, no automatic reconnect; rejects with the broker's refusal. */
export async function connectUnit(url: string, creds: UnitCreds | null, opts: IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(url, {
    // A unit may use only its own client id (and so has one session at a time).
    clientId: creds ? `lifeline-agent-${creds.username}` : `t-${randomId()}`,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...(creds ? { username: creds.username, password: creds.password } : {}),
    ...opts,
  });
  c.on('error', () => undefined);
  return c;
}

/** Resolves when the client's connection closes (the broker dropped it), or rejects after `ms`. */
export function closed(c: MqttClient, ms = 5000): Promise<void> {
  if (!c.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('connection still open')), ms);
    c.once('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

export const position = (seq: number, lat = 10.97, lon = 106.64) => JSON.stringify({ seq, ts: Date.now(), lat, lon });

/** A pino logger whose lines are kept in `lines` (parsed), for tests that count log output. */
export function capturedLogger(level = 'info'): { logger: Logger; lines: { msg: string; [k: string]: unknown }[] } {
  const lines: { msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as { msg: string });
      cb();
    },
  });
  return { logger: pino({ level }, sink), lines };
}
