import fc from 'fast-check';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifelineServer } from '../../src/server.ts';
import { connectSocket, login, TestEnv } from '../helpers.ts';
import { rawRequest } from './rawHttp.ts';
import { toWellFormed } from './schemaFuzz.ts';

/**
 * Issue 11, item 2: one handshake with cookie `lifeline_session=%` threw URIError in the socket.io
 * middleware and ended the process. Random and malformed cookies, auth objects, headers and query
 * strings go to a real server; each is refused cleanly, and good handshakes still work afterwards.
 */

const HOSTILE = ['%', '%%', '%zz', '%E0%A4%A', '\u0000', '=', ';;;', '"', '%00', 'a'.repeat(5000), '\uD800', '💥', '%C0%80', '\r\n'];
const text = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 40 }));
const cookie = fc.oneof(
  text.map((v) => `lifeline_session=${v}`),
  fc.tuple(text, text).map(([k, v]) => `${k}=${v}; lifeline_session=${v}`),
  text,
);
/** Header values must be latin-1 for Node to send them at all; keep what it can send. */
const latin1 = (s: string) => s.replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, (c) => `%${(c.charCodeAt(0) & 0xff).toString(16)}`);
interface Handshake {
  cookie: string;
  auth: unknown;
  authorization: string | undefined;
  query: Record<string, string>;
}
const handshake: fc.Arbitrary<Handshake> = fc.record({
  cookie: cookie.map(latin1),
  auth: fc.oneof(fc.constant(undefined), fc.record({ token: fc.oneof(text, fc.integer(), fc.constant(null), fc.object()) }), fc.anything()),
  authorization: fc.oneof(fc.constant(undefined), text.map((t) => latin1(`Bearer ${t}`)), text.map(latin1)),
  query: fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => k.length > 0 && !['EIO', 'transport', 'sid'].includes(k)), text.map(toWellFormed), { maxKeys: 3 }),
});

describe('socket.io handshakes cannot bring the server down', () => {
  const env = new TestEnv('embedded');
  let server: LifelineServer;

  beforeAll(async () => {
    await env.setup();
    server = await env.start();
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  /** Resolves with how the handshake ended: `connect` or the error's message. */
  function attempt(h: Handshake, transport: 'websocket' | 'polling'): Promise<string> {
    return new Promise((resolve) => {
      const s = ioClient(server.url, {
        transports: [transport],
        reconnection: false,
        timeout: 10_000,
        auth: h.auth as Record<string, unknown>,
        query: h.query,
        extraHeaders: { cookie: h.cookie, ...(h.authorization ? { authorization: h.authorization } : {}) },
      });
      const done = (how: string) => {
        s.close();
        resolve(how);
      };
      s.once('connect', () => done('connect'));
      s.once('connect_error', (e) => done(e.message));
      // A CONNECT packet whose auth is not an object is a protocol error: the server closes the connection.
      // ("forced close" is the client's own, just before it reports connect_error.)
      s.io.on('close', (reason) => reason !== 'forced close' && done(`closed: ${reason}`));
    });
  }

  it('the issue’s repro: cookie lifeline_session=% is refused and the server lives on', async () => {
    for (const transport of ['websocket', 'polling'] as const) {
      expect(await attempt({ cookie: 'lifeline_session=%', auth: undefined, authorization: undefined, query: {} }, transport)).toBe('UNAUTHORIZED');
    }
  });

  it('300 random hostile handshakes are all refused; a good one still connects', async () => {
    const samples = fc.sample(handshake, { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: 11 });
    const outcomes = new Map<string, number>();
    for (const [i, h] of samples.entries()) {
      const how = await attempt(h, i % 2 ? 'websocket' : 'polling');
      outcomes.set(how, (outcomes.get(how) ?? 0) + 1);
    }
    // None is let in; each is refused with the handshake error (not a transport failure).
    expect([...outcomes.keys()].every((k) => k === 'UNAUTHORIZED' || k.startsWith('closed:')), JSON.stringify([...outcomes])).toBe(true);
    expect(outcomes.get('UNAUTHORIZED')).toBeGreaterThan(200);
    const good = connectSocket(server.url, await login(server, 'supervisor'));
    await new Promise<void>((resolve, reject) => {
      good.once('snapshot', () => resolve());
      good.once('connect_error', reject);
    });
    good.close();
  });

  it('a malformed session cookie on any HTTP route is 401 for protected routes, never 5xx', async () => {
    for (const value of HOSTILE.slice(0, 10)) {
      for (const path of ['/api/users', '/api/auth/me', '/api/incidents', '/api/config', '/healthz', '/']) {
        const r = await rawRequest(server.url, 'GET', path, { headers: { cookie: `lifeline_session=${latin1(value)}` } });
        expect(r.status, `${path} with ${JSON.stringify(value)}`).toBeLessThan(500);
        if (path.startsWith('/api/') && path !== '/api/config') expect(r.status).toBe(401);
      }
    }
    // Raw engine.io handshakes with escapes no client would send.
    for (const q of ['x=%', 'EIO=%', 'EIO=4&transport=%', 'EIO=4&transport=polling&t=%E0%A4%A', 'EIO=4&transport=polling&sid=%00']) {
      const r = await rawRequest(server.url, 'GET', `/socket.io/?${q}`, { headers: { cookie: 'lifeline_session=%' } });
      expect(r.status, q).toBeLessThan(500);
    }
  });
});
