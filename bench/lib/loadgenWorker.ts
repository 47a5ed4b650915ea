/**
 * MQTT load generator (runs in its own process): N simulated units spread over C connections
 * publish positions at QoS 1 to `{prefix}/vehicles/{id}/position`, each with its own increasing
 * `seq`, and (optionally) subscribe to their `stored` topics to check the server's durability acks.
 */
import { RawMqtt } from './rawMqtt.ts';
import { serve } from './child.ts';
import { nowMs, sleep } from './args.ts';
import { rng } from './stats.ts';

interface ConnectArgs {
  url: string;
  prefix: string;
  units: number;
  connections: number;
  subscribeStored: boolean;
  seed?: number;
}

interface RunArgs {
  /** `rate`: every unit at `hz`; `max`: keep `window` messages in flight per connection; `once`: one position per unit. */
  mode: 'rate' | 'max' | 'once';
  hz?: number;
  durationMs?: number;
  window?: number;
  /** Only the first `activeUnits` units publish (default all). */
  activeUnits?: number;
}

const CENTER = { lat: 10.98, lng: 106.65 };

interface Unit {
  index: number;
  id: string;
  topic: string;
  seq: number;
  lat: number;
  lng: number;
  storedSeq: number;
}

let conns: RawMqtt[] = [];
let unitsByConn: Unit[][] = [];
let allUnits: Unit[] = [];
let storedMsgs = 0;
let random = rng(1);

export function unitId(i: number): string {
  return `u${String(i).padStart(6, '0')}`;
}

async function connect(a: ConnectArgs): Promise<{ units: number }> {
  const u = new URL(a.url);
  random = rng(a.seed ?? 1);
  allUnits = [];
  for (let i = 0; i < a.units; i++) {
    const id = unitId(i);
    allUnits.push({
      index: i,
      id,
      topic: `${a.prefix}/vehicles/${id}/position`,
      seq: 0,
      lat: CENTER.lat + (random() - 0.5) * 0.6,
      lng: CENTER.lng + (random() - 0.5) * 0.6,
      storedSeq: 0,
    });
  }
  conns = [];
  unitsByConn = [];
  const byId = new Map(allUnits.map((x) => [x.id, x]));
  const storedRe = /\/vehicles\/([^/]+)\/stored$/;
  for (let c = 0; c < a.connections; c++) {
    const conn = new RawMqtt();
    await conn.connect(u.hostname, Number(u.port || 1883), `bench-gen-${process.pid}-${c}`);
    const mine = allUnits.filter((_, i) => i % a.connections === c);
    if (a.subscribeStored) {
      conn.onMessage = (topic, payload) => {
        const m = storedRe.exec(topic);
        const unit = m && byId.get(m[1]!);
        if (!unit) return;
        storedMsgs++;
        const seq = JSON.parse(payload.toString()).seq as number;
        if (seq > unit.storedSeq) unit.storedSeq = seq;
      };
      await conn.subscribe(mine.map((x) => `${a.prefix}/vehicles/${x.id}/stored`));
    }
    conns.push(conn);
    unitsByConn.push(mine);
  }
  return { units: allUnits.length };
}

function nextPayload(unit: Unit): string {
  unit.seq++;
  // A unit drives ~10 m/s in a random direction; positions stay plausible.
  unit.lat += (random() - 0.5) * 2e-4;
  unit.lng += (random() - 0.5) * 2e-4;
  return `{"seq":${unit.seq},"ts":${Math.round(nowMs())},"lat":${unit.lat.toFixed(6)},"lon":${unit.lng.toFixed(6)},"spd":${(random() * 20).toFixed(1)},"hdg":${Math.floor(random() * 360)}}`;
}

async function run(a: RunArgs) {
  const published0 = conns.reduce((s, c) => s + c.published, 0);
  const acked0 = conns.reduce((s, c) => s + c.acked, 0);
  const cursors = conns.map(() => 0);
  const active = a.activeUnits ?? allUnits.length;
  const activeByConn = unitsByConn.map((us) => us.filter((x) => x.index < active));
  const t0 = nowMs();
  let skipped = 0;
  const sendOne = (c: number) => {
    const units = activeByConn[c]!;
    const unit = units[cursors[c]! % units.length]!;
    cursors[c]!++;
    conns[c]!.publish(unit.topic, nextPayload(unit));
  };
  if (a.mode === 'once') {
    for (let c = 0; c < conns.length; c++) {
      for (let i = 0; i < activeByConn[c]!.length; i++) {
        sendOne(c);
        if (i % 500 === 499) {
          conns[c]!.flush();
          while (conns[c]!.inFlightCount > 2000) await sleep(2);
        }
      }
      conns[c]!.flush();
    }
  } else if (a.mode === 'rate') {
    // Open loop: the schedule does not slow down when the broker does; units that would exceed
    // the in-flight window are counted as skipped (the generator never blocks).
    const perConnRate = ((a.hz ?? 1) * active) / conns.length;
    const sent = conns.map(() => 0);
    const window = a.window ?? 20_000;
    while (nowMs() - t0 < a.durationMs!) {
      const due = Math.floor(((nowMs() - t0) / 1000) * perConnRate);
      for (let c = 0; c < conns.length; c++) {
        while (sent[c]! < due) {
          sent[c]!++;
          if (conns[c]!.inFlightCount >= window || !conns[c]!.writable()) {
            skipped++;
            continue;
          }
          sendOne(c);
        }
        conns[c]!.flush();
      }
      await sleep(5);
    }
  } else {
    // Closed loop: keep `window` unacknowledged messages per connection, as fast as acks return.
    const window = a.window ?? 1000;
    let running = true;
    const fill = (c: number) => {
      const conn = conns[c]!;
      let n = 0;
      while (running && conn.inFlightCount < window && n < 2000) {
        sendOne(c);
        n++;
      }
      conn.flush();
    };
    conns.forEach((conn, c) => {
      let scheduled = false;
      conn.onAck = () => {
        if (scheduled || !running) return;
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          fill(c);
        });
      };
      fill(c);
    });
    await sleep(a.durationMs!);
    running = false;
    for (const conn of conns) conn.onAck = null;
  }
  const tSentEnd = nowMs();
  // Wait for the broker to acknowledge what was sent (bounded).
  const deadline = nowMs() + 30_000;
  while (conns.some((c) => c.inFlightCount > 0) && nowMs() < deadline) await sleep(5);
  const tAcked = nowMs();
  const published = conns.reduce((s, c) => s + c.published, 0) - published0;
  const acked = conns.reduce((s, c) => s + c.acked, 0) - acked0;
  return { published, acked, unacked: conns.reduce((s, c) => s + c.inFlightCount, 0), skipped, t0, sendMs: tSentEnd - t0, ackedMs: tAcked - t0 };
}

/** Waits (bounded) until every unit's `stored` ack has reached its last published seq. */
async function storedCheck(a: { waitMs: number }) {
  const deadline = nowMs() + a.waitMs;
  const behind = () => allUnits.filter((u) => u.storedSeq < u.seq).length;
  while (behind() > 0 && nowMs() < deadline) await sleep(50);
  return { units: allUnits.length, behind: behind(), storedMsgs, lastSeqTotal: allUnits.reduce((s, u) => s + u.seq, 0) };
}

serve({ connect, run, storedCheck }, async () => {
  await Promise.all(conns.map((c) => c.end()));
});
