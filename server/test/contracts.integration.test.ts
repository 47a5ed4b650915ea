import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PositionMsgSchema, SOCKET_EVENTS, type PositionMsg } from '@lifeline/protocol';
import { compileParser } from '@lifeline/protocol/validate';
import type { LifelineServer } from '../src/server.ts';
import { externalUnavailable, TestEnv, type Mode } from './helpers.ts';

const external = await externalUnavailable();
const mode: Mode = external === null ? 'external' : 'embedded';

/* eslint-disable @typescript-eslint/no-explicit-any */
async function getJson(server: LifelineServer, path: string): Promise<{ status: number; type: string | null; body: any }> {
  // No token: the contracts are public.
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

/** Every method and path fastify has, read from its own route tree (`printRoutes`), HEAD aside. */
function registeredRoutes(server: LifelineServer): Set<string> {
  const routes = new Set<string>();
  const parents: string[] = [];
  for (const line of server.app.printRoutes({ commonPrefix: false }).split('\n')) {
    // `│   ├── /:id (GET, HEAD)`: the depth is where the branch starts, a child extends its parent's path.
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const path = (depth > 0 ? parents[depth - 1]! : '') + m[2]!;
    parents[depth] = path;
    for (const method of m[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.add(`${method} ${path}`);
  }
  return routes;
}

/** `/api/incidents/:id` → `/api/incidents/{id}`, as OpenAPI writes it. */
const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe(`published contracts (${mode})`, () => {
  const env = new TestEnv(mode);
  let server: LifelineServer;

  beforeAll(async () => {
    await env.setup();
    server = await env.start();
  });
  afterAll(async () => {
    await server?.stop();
    await env.teardown();
  });

  it('GET /api/openapi.json is valid OpenAPI 3.1 with info, licence and the session security schemes', async () => {
    const res = await getJson(server, '/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/json/);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\.1\./);
    // Throws on any schema or reference error; it is given a copy because it dereferences in place.
    await SwaggerParser.validate(structuredClone(doc));
    expect(doc.info).toMatchObject({ title: 'Lifeline REST API', version: '0.1.0', license: { name: 'Apache-2.0' } });
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'lifeline_session' });
    expect(doc.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    // Public routes say so; the others name their permission.
    expect(doc.paths['/api/auth/login'].post.security).toEqual([]);
    expect(doc.paths['/api/openapi.json'].get.security).toEqual([]);
    expect(doc.paths['/api/incidents'].post.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
    expect(doc.paths['/api/incidents'].post.description).toContain('`dispatch` permission');
  });

  it('documents every route the server registers, each with a tag, and nothing else', async () => {
    const doc = (await getJson(server, '/api/openapi.json')).body;
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        documented.add(`${method.toUpperCase()} ${path}`);
        expect(op.tags?.length, `${method} ${path} has a tag`).toBe(1);
        expect(doc.tags.map((t: { name: string }) => t.name)).toContain(op.tags[0]);
      }
    }
    const registered = [...registeredRoutes(server)]
      // The dispatcher UI's files (or the "not built" page) are not API.
      .filter((r) => !/^GET \/?\*?$/.test(r))
      .map((r) => r.replace(/ (.*)$/, (_, p: string) => ` ${openapiPath(p)}`));
    expect(registered.length).toBeGreaterThan(40);
    for (const must of ['POST /api/incidents', 'GET /api/geocode', 'GET /api/basemap/roads/{z}/{x}/{y}', 'POST /osmand', 'GET /metrics', 'GET /api/schemas/mqtt.json']) {
      expect(registered).toContain(must);
    }
    expect([...documented].sort()).toEqual([...new Set(registered)].sort());
  });

  it('POST /api/incidents carries its body, 201 and error schemas', async () => {
    const op = (await getJson(server, '/api/openapi.json')).body.paths['/api/incidents'].post;
    expect(op.tags).toEqual(['incidents']);
    const body = op.requestBody.content['application/json'].schema;
    expect(body.type).toBe('object');
    expect(body.additionalProperties).toBe(false);
    expect(body.required).toEqual(expect.arrayContaining(['line', 'callerPhone', 'location', 'category', 'priority']));
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(['line', 'callerPhone', 'location', 'category', 'priority', 'notes']));
    const created = op.responses['201'].content['application/json'].schema;
    expect(created.required).toEqual(expect.arrayContaining(['incident', 'recommendations']));
    for (const status of ['400', '401', '403']) {
      const error = op.responses[status].content['application/json'].schema;
      expect(error.required).toEqual(['code', 'message']);
      expect(error.properties.code.anyOf ?? error.properties.code.enum).toBeDefined();
    }
  });

  it('GET /api/schemas/mqtt.json lists the topics with the prefix, and a real position validates against it', async () => {
    const res = await getJson(server, '/api/schemas/mqtt.json');
    expect(res.status).toBe(200);
    const p = server.config.mqttPrefix;
    expect(res.body.prefix).toBe(p);
    const topics = res.body.topics;
    const expected: Record<string, [string, string]> = {
      position: ['agent → server', 'seq'],
      status: ['agent → server', 'status'],
      ack: ['agent → server', 'assignmentId'],
      stored: ['server → agent', 'mids'],
      assignment: ['server → agent', 'destination'],
      cancel: ['server → agent', 'assignmentId'],
    };
    for (const [kind, [direction, field]] of Object.entries(expected)) {
      expect(topics[kind], kind).toMatchObject({ topic: `${p}/vehicles/+/${kind}`, direction, qos: 1 });
      expect(topics[kind].payload.type).toBe('object');
      expect(Object.keys(topics[kind].payload.properties)).toContain(field);
    }
    expect(topics.status.retained).toBe(true);

    const position: PositionMsg = { seq: 42, ts: Date.now(), lat: 10.98, lon: 106.65, acc: 8, spd: 12.5, hdg: 90 };
    expect(compileParser(PositionMsgSchema).validate(position).ok).toBe(true);
    const check = new Ajv({ strict: false }).compile(topics.position.payload);
    expect(check(position), JSON.stringify(check.errors)).toBe(true);
    // And the published schema refuses what the server refuses.
    expect(check({ ...position, lat: 91 })).toBe(false);
    expect(check({ ts: position.ts, lat: 10, lon: 106 })).toBe(false);
  });

  it('GET /api/schemas/socket.json lists every socket.io event with its payload schema', async () => {
    const res = await getJson(server, '/api/schemas/socket.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.events).sort()).toEqual(Object.values(SOCKET_EVENTS).sort());
    for (const e of Object.values<any>(res.body.events)) {
      expect(e.direction).toBe('server → client');
      expect(e.payload.type).toBe('object');
    }
    expect(Object.keys(res.body.events.snapshot.payload.properties)).toEqual(['seq', 'units', 'incidents']);
  });
});
