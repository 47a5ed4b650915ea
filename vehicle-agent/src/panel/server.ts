import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Type } from '@sinclair/typebox';
import { compileParser } from '@lifeline/protocol/validate';
import { CREW_STATUSES, hospitalChoices, type CrewCommand } from '../core/crew.ts';
import { distanceM } from '../core/geo.ts';
import type { AgentSnapshot, VehicleAgent } from '../mqtt/vehicle-agent.ts';
import { PANEL_HTML } from './page.ts';

/** The crew panel's port: not the server's 8080, so an agent and a server can run on one machine (115: the EMS line). */
export const DEFAULT_PANEL_PORT = 8115;

const CrewCommandSchema = Type.Union([
  Type.Object({ type: Type.Literal('acknowledge') }, { additionalProperties: false }),
  Type.Object(
    { type: Type.Literal('status'), status: Type.Union(CREW_STATUSES.map((s) => Type.Literal(s))), hospitalId: Type.Optional(Type.String({ maxLength: 64 })) },
    { additionalProperties: false },
  ),
]);
const parseCommand = compileParser(CrewCommandSchema);

export interface CrewPanelOptions {
  /** Default DEFAULT_PANEL_PORT; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (the tablet runs the agent); '0.0.0.0' to serve a tablet on the cab's LAN. */
  host?: string;
}

export interface CrewPanel {
  url: string;
  close(): Promise<void>;
}

/** Road distance ≈ great circle × this, and a city ambulance averages this speed: a rough ETA only. */
const CIRCUITY = 1.3;
const ETA_SPEED_MPS = 40 / 3.6;

export type PanelState = AgentSnapshot & { etaMin: number | null };

export function panelState(s: AgentSnapshot): PanelState {
  const a = s.memo.assignment;
  const target =
    a && (s.memo.status === 'dispatched' || s.memo.status === 'en_route')
      ? a.destination
      : s.memo.status === 'transporting'
        ? (s.hospitals.find((h) => h.id === s.memo.hospitalId) ?? a?.hospital)?.location
        : undefined;
  const etaMin = target && s.lastFix ? Math.max(1, Math.round((distanceM(s.lastFix, target) * CIRCUITY) / ETA_SPEED_MPS / 60)) : null;
  return { ...s, hospitals: hospitalChoices(s.memo, s.hospitals), etaMin };
}

async function readBody(req: IncomingMessage, limit = 4096): Promise<string | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) return null;
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Serves the crew panel for one agent (node:http; no framework). */
export async function startCrewPanel(agent: VehicleAgent, o: CrewPanelOptions = {}): Promise<CrewPanel> {
  const server: Server = createServer((req, res) => {
    const send = (code: number, body: unknown, type = 'application/json; charset=utf-8') => {
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) return send(200, PANEL_HTML, 'text/html; charset=utf-8');
    if (req.method === 'GET' && path === '/api/state') return send(200, panelState(agent.snapshot()));
    if (req.method === 'POST' && path === '/api/crew') {
      // JSON only: a form or text/plain post from another page in the tablet's browser (no CORS
      // preflight) must not press buttons.
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return send(415, { ok: false, code: 'UnsupportedMediaType' });
      void readBody(req).then((text) => {
        if (text === null) return send(413, { ok: false, code: 'TooLarge' });
        const cmd = parseCommand.parseJson(text);
        if (!cmd.ok) return send(400, { ok: false, code: 'BadRequest', message: cmd.error });
        const r = agent.crew(cmd.value as CrewCommand);
        send(r.ok ? 200 : 409, { ...r, state: panelState(agent.snapshot()) });
      });
      return;
    }
    send(404, { ok: false, code: 'NotFound' });
  });
  server.listen(o.port ?? DEFAULT_PANEL_PORT, o.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = o.host && o.host !== '0.0.0.0' ? o.host : '127.0.0.1';
  return {
    url: `http://${host}:${port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
