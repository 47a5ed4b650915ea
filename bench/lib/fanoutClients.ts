/**
 * Live-map clients (own process): N raw WebSocket clients speaking Engine.IO 4 / socket.io 5 —
 * what socket.io-client sends on the wire — without decoding the payloads. One process parsing
 * the JSON of 500 browsers would measure its own CPU, not the server; here each message is
 * timestamped on arrival and only its event name and key (`seq`, `tile`) are read.
 */
import WebSocket from 'ws';
import { serve } from './child.ts';
import { nowMs, sleep } from './args.ts';

interface Arrival {
  key: string;
  t: number;
}

let sockets: WebSocket[] = [];
let recording = false;
let arrivals: Arrival[] = [];
let bytes = 0;
let messages = 0;
let snapshots = 0;
const MAX_ARRIVALS = 2_000_000;

const headRe = /^42\["(units|area|snapshot)",\{"seq":(\d+)(?:,"tile":"([^"]+)")?/;

function connectOne(url: string, token: string | null, area: { south: number; west: number; north: number; east: number } | null): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error('socket.io connect timeout')), 30_000);
    ws.on('message', (data: Buffer) => {
      const head = data.subarray(0, 80).toString('latin1');
      if (head.startsWith('0')) {
        ws.send(token ? `40${JSON.stringify({ token })}` : '40');
        return;
      }
      if (head === '2') {
        ws.send('3');
        return;
      }
      if (head.startsWith('40')) {
        clearTimeout(timer);
        if (area) ws.send(`42${JSON.stringify(['area', area])}`);
        resolve(ws);
        return;
      }
      if (head.startsWith('44')) {
        clearTimeout(timer);
        reject(new Error(`socket.io refused: ${head}`));
        return;
      }
      const m = headRe.exec(head);
      if (!m) return;
      if (m[1] === 'snapshot') {
        snapshots++;
        return;
      }
      if (!recording) return;
      bytes += data.length;
      messages++;
      if (arrivals.length < MAX_ARRIVALS) arrivals.push({ key: m[3] ? `${m[2]}:${m[3]}` : m[2]!, t: nowMs() });
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

serve(
  {
    connect: async (a: { url: string; token: string | null; clients: number; area: boolean; seed: number }) => {
      sockets = [];
      snapshots = 0;
      let s = a.seed;
      const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      for (let i = 0; i < a.clients; i++) {
        // A district-sized view: about 2 × 2 z12 tiles (≈ 0.18° ≈ 20 km square) inside the fleet's area.
        const south = 10.98 - 0.3 + rnd() * 0.42;
        const west = 106.65 - 0.3 + rnd() * 0.42;
        const area = a.area ? { south, west, north: south + 0.176, east: west + 0.176 } : null;
        sockets.push(await connectOne(a.url, a.token, area));
        if (i % 50 === 49) await sleep(50);
      }
      const deadline = nowMs() + 30_000;
      while (snapshots < a.clients && nowMs() < deadline) await sleep(50);
      return { connected: sockets.length, snapshots };
    },
    record: () => {
      arrivals = [];
      bytes = 0;
      messages = 0;
      recording = true;
      return true;
    },
    stopRecording: () => {
      recording = false;
      return { arrivals, bytes, messages, open: sockets.filter((w) => w.readyState === WebSocket.OPEN).length };
    },
  },
  async () => {
    for (const w of sockets) w.terminate();
  },
);
