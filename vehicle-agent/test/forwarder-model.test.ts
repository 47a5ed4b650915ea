/**
 * The Forwarder against a model of the broker and the server, over thousands of random schedules:
 * publishes travel in order per connection; a connection can drop (what is on the wire is lost);
 * after a reconnect the server may not be subscribed yet (what arrives is dropped); the server
 * commits what it received in batches and answers `stored {last seq of the batch}`, possibly late,
 * across connections. With `crashes`, the server is also killed now and then while the broker and
 * the link stay up: what it received but had not committed is lost, the broker delivers what follows
 * to the next server run (persistent session), whose `stored` carry a new `boot`, while the dead
 * run's last `stored` may still be on their way. Checked: nothing is confirmed that the server did
 * not commit, and once the link is steady every position is confirmed without a resend round (a
 * GPS keeps giving fixes: the model adds fresh ones while the agent awaits a new run's first
 * confirmation of a fresh position).
 */
import { describe, expect, it } from 'vitest';
import type { PositionMsg } from '@lifeline/protocol';
import { seededRng } from '../src/core/random.ts';
import { Forwarder, SpoolState } from '../src/core/spool.ts';

function run(seed: number, crashes = false): { leftover: number[]; falseConfirms: number[]; crashes: number } {
  const rng = seededRng(seed);
  const state = new SpoolState();
  const f = new Forwarder();
  const wire: number[] = []; // published on the current connection, not yet at the broker
  let dropNext = 0; // the server is not subscribed yet: the broker drops this many
  const received: number[] = []; // at the server, not yet committed
  const storedQueue: { seq: number; boot: string }[] = []; // `stored` messages on their way to the agent (persistent session)
  let boot = 1;
  let crashCount = 0;
  const committed = new Set<number>();
  const falseConfirms: number[] = [];
  let nextSeq = 1;
  const total = 5 + Math.floor(rng() * 80);
  f.connect();
  const step = (steady: boolean) => {
    const r = rng();
    const fresh = nextSeq <= total || (steady && f.awaitingNewRun);
    if (r < 0.2 && fresh) state.apply({ t: 'pos', p: { seq: nextSeq++, ts: 0, lat: 0, lon: 0 } as PositionMsg });
    else if (r < 0.4) for (const p of f.take(state, 1 + Math.floor(rng() * 30))) wire.push(p.seq);
    else if (r < 0.55 && wire.length) {
      for (const q of wire.splice(0, 1 + Math.floor(rng() * wire.length))) {
        if (dropNext > 0) dropNext--;
        else received.push(q);
      }
    } else if (r < 0.7 && received.length) {
      const batch = received.splice(0, 1 + Math.floor(rng() * received.length));
      batch.forEach((q) => committed.add(q));
      storedQueue.push({ seq: batch.at(-1)!, boot: String(boot) });
    } else if (r < 0.85 && storedQueue.length) {
      const m = storedQueue.shift()!;
      f.noteBoot(m.boot);
      for (const rec of f.confirm(state, m.seq, m.boot)) {
        const gone = rec.t === 'stored' ? state.positions.filter((p) => p.seq <= rec.upTo).map((p) => p.seq) : rec.t === 'drop' ? (rec.seqs ?? []) : [];
        for (const q of gone) if (!committed.has(q)) falseConfirms.push(q);
        state.apply(rec);
      }
      f.prune(state);
    } else if (r < 0.87 && !f.isVerified) {
      f.reprobe(); // the agent's probe timer: no answer yet, send the newest again
    } else if (!steady && r < 0.9) {
      wire.length = 0; // the link drops: what was in flight is lost
      dropNext = Math.floor(rng() * 5); // and the server may be late to re-subscribe
      f.connect();
    } else if (!steady && r < 0.92) {
      f.startRound(); // the agent's resend timer
    } else if (crashes && !steady && r < 0.94) {
      received.length = 0; // kill -9 of the server: acked to the broker, never committed
      boot++;
      crashCount++;
    }
  };
  for (let i = 0; i < 400; i++) step(false);
  for (let i = 0; i < 4000 && (nextSeq <= total || state.positions.length > 0); i++) step(true);
  return { leftover: state.positions.map((p) => p.seq), falseConfirms, crashes: crashCount };
}

describe('Forwarder against a broker/server model', () => {
  it('never confirms what the server did not commit, and drains once the link is steady', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const r = run(seed);
      expect(r.falseConfirms, `seed ${seed}`).toEqual([]);
      expect(r.leftover, `seed ${seed}`).toEqual([]);
    }
  });

  it('never confirms what a killed server run lost, and drains after the restart', () => {
    let crashes = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const r = run(seed, true);
      crashes += r.crashes;
      expect(r.falseConfirms, `seed ${seed}`).toEqual([]);
      expect(r.leftover, `seed ${seed}`).toEqual([]);
    }
    expect(crashes).toBeGreaterThan(1000);
  });
});
