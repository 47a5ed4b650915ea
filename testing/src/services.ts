import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { optional } from './optional.ts';
import { which } from './which.ts';

const SBIN = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** Resolves whether something accepts TCP connections at host:port within `timeoutMs`. */
export function tcpOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** The Mosquitto broker binary (for private instances), or null. */
export const MOSQUITTO_BIN = which(['mosquitto'], SBIN);
/** The gpsd binary, or null. */
export const GPSD_BIN = which(['gpsd'], SBIN);
/** redis-server (for private instances), or null. */
export const REDIS_SERVER_BIN = which(['redis-server'], SBIN);

export const noMosquitto = (): boolean =>
  optional('Mosquitto', MOSQUITTO_BIN ? null : 'no mosquitto binary', 'install it (Debian/Ubuntu: `apt-get install mosquitto`)');

export const noGpsd = (): boolean => optional('gpsd', GPSD_BIN ? null : 'no gpsd binary', 'install it (Debian/Ubuntu: `apt-get install gpsd`)');

export const noRedisServer = (): boolean =>
  optional('Redis', REDIS_SERVER_BIN ? null : 'no redis-server binary', 'install it (Debian/Ubuntu: `apt-get install redis-server`)');

export const noPython = (): boolean =>
  optional('python3', spawnSync('python3', ['-c', 'import pty, tty'], { stdio: 'ignore' }).status === 0 ? null : 'python3 with pty not found', 'install python3');

/** A running PostgreSQL / MQTT broker / Redis at `url`: prints or fails per optional() when none answers. */
export async function noServiceAt(service: 'PostgreSQL' | 'MQTT broker' | 'Redis', url: string, hint: string): Promise<boolean> {
  const u = new URL(url);
  const port = Number(u.port || { PostgreSQL: 5432, 'MQTT broker': 1883, Redis: 6379 }[service]);
  return optional(service, (await tcpOpen(u.hostname, port)) ? null : `nothing answers at ${u.hostname}:${port}`, hint);
}
