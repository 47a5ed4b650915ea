// k6 version of bench/scenarios/fanout.ts (shared broadcast, what the server does today): N live-map
// clients on socket.io over a raw WebSocket (Engine.IO 4 / socket.io 5 framing, as socket.io-client
// sends it), measuring for every unit in every `units` frame the time from its fix (recordedAt,
// device time) to arrival — so run k6 on the server's machine or with synchronised clocks.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e LIFELINE_USER=dispatcher1 -e LIFELINE_PASSWORD='…' -e CLIENTS=500 bench/k6/fanout.js
//
// The server needs moving units: run the simulated fleet (SIM_VEHICLES=5000 pnpm start, or the
// vehicle agent) while this runs. Threshold = the goal: p95 < 250 ms with 500 clients.
import ws from 'k6/ws';
import { check } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import { BASE_URL, login } from './lib.js';

const CLIENTS = Number(__ENV.CLIENTS || 100);
const HOLD_MS = Number(__ENV.HOLD_MS || 30000);
const unitLatency = new Trend('unit_update_latency', true);
const frameBytes = new Counter('frame_bytes');
const frames = new Counter('frames');

export const options = {
  scenarios: {
    live_map: { executor: 'per-vu-iterations', vus: CLIENTS, iterations: 1, maxDuration: `${Math.ceil(HOLD_MS / 1000) + 60}s` },
  },
  thresholds: { unit_update_latency: ['p(95)<250'] },
  summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max'],
};

export function setup() {
  return { token: login() };
}

export default function (data) {
  const url = `${BASE_URL.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
  const res = ws.connect(url, {}, (socket) => {
    socket.on('message', (msg) => {
      // Engine.IO packet types: 0 open, 2 ping (answer 3 pong); socket.io: 40 connect, 42 event, 44 error.
      if (msg[0] === '0') {
        socket.send(`40${JSON.stringify({ token: data.token })}`);
      } else if (msg === '2') {
        socket.send('3');
      } else if (msg.startsWith('44')) {
        check(msg, { 'socket.io accepted the token': () => false });
        socket.close();
      } else if (msg.startsWith('42["units"')) {
        const now = Date.now();
        frames.add(1);
        frameBytes.add(msg.length);
        const [, delta] = JSON.parse(msg.slice(2));
        for (const u of delta.units) if (u.position) unitLatency.add(now - Date.parse(u.position.recordedAt));
      }
    });
    socket.setTimeout(() => socket.close(), HOLD_MS);
  });
  check(res, { 'websocket upgraded (101)': (r) => r && r.status === 101 });
}
