import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PositionMsg } from '@lifeline/protocol';
import { Forwarder, SpoolState, thinning, type SpoolRecord } from '../src/core/spool.ts';
import { decodeRecord, encodeRecord, FileSpool, replayLog } from '../src/spool/fileSpool.ts';

const pos = (seq: number): PositionMsg => ({ seq, ts: 1_000_000 + seq, lat: 10, lon: 106 });
const stateWith = (seqs: number[]) => {
  const s = new SpoolState();
  for (const q of seqs) s.apply({ t: 'pos', p: pos(q) });
  return s;
};
const seqsOf = (s: SpoolState) => s.positions.map((p) => p.seq);
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

describe('SpoolState records', () => {
  it.each<[string, SpoolRecord[], number[]]>([
    ['stored drops everything up to and including upTo', [{ t: 'stored', upTo: 3 }], [4, 5]],
    ['stored below the lowest drops nothing', [{ t: 'stored', upTo: 0 }], [1, 2, 3, 4, 5]],
    ['drop removes exactly the named seqs', [{ t: 'drop', seqs: [2, 5, 99] }], [1, 3, 4]],
    ['a duplicate pos record is kept once', [{ t: 'pos', p: pos(3) }], [1, 2, 3, 4, 5]],
  ])('%s', (_n, records, left) => {
    const s = stateWith([1, 2, 3, 4, 5]);
    for (const r of records) s.apply(r);
    expect(seqsOf(s)).toEqual(left);
  });

  it('crew messages leave only when dropped by id; the memo keeps the latest', () => {
    const s = new SpoolState();
    s.apply({ t: 'msg', m: { id: 1, kind: 'status', msg: { status: 'en_route', ts: 1 } } });
    s.apply({ t: 'msg', m: { id: 2, kind: 'ack', msg: { assignmentId: 'a', ts: 2 } } });
    s.apply({ t: 'stored', upTo: 1e15 });
    s.apply({ t: 'memo', memo: { a: 1 } });
    s.apply({ t: 'memo', memo: { a: 2 } });
    expect(s.messages.map((m) => m.id)).toEqual([1, 2]);
    s.apply({ t: 'drop', ids: [1] });
    expect(s.messages.map((m) => m.id)).toEqual([2]);
    expect(s.nextMessageId).toBe(3);
    expect(s.memo).toEqual({ a: 2 });
  });

  it.each([
    ['nothing used: the clock', [], 0, 5_000, 5_000],
    ['reservation above the clock wins', [{ t: 'seq', below: 9_000 } as const], 0, 5_000, 9_000],
    ['a used seq above everything wins', [{ t: 'seq', below: 100 } as const, { t: 'pos', p: pos(7_000) } as const], 0, 5_000, 7_001],
  ])('first free seq: %s', (_n, records, _x, clock, expected) => {
    const s = new SpoolState();
    for (const r of records) s.apply(r);
    expect(s.firstFreeSeq(clock)).toBe(expected);
  });
});

describe('thinning when full (statuses are never dropped)', () => {
  it.each([
    [10, 9, null],
    [10, 10, [2, 4]],
    [4, 4, [2]],
    [2, 2, [1]],
  ])('max %d with %d positions spooled', (max, n, dropped) => {
    const s = stateWith(range(1, n));
    const r = thinning(s.positions, { maxPositions: max, seqBlock: 10 });
    expect(r === null ? null : (r as { seqs: number[] }).seqs).toEqual(dropped);
  });

  it('repeated filling keeps the newest whole and the spool bounded', () => {
    const s = new SpoolState();
    const limits = { maxPositions: 100, seqBlock: 10 };
    for (let q = 1; q <= 1000; q++) {
      const thin = thinning(s.positions, limits);
      if (thin) s.apply(thin);
      s.apply({ t: 'pos', p: pos(q) });
      expect(s.positions.length).toBeLessThanOrEqual(100);
    }
    expect(seqsOf(s).slice(-40)).toEqual(range(961, 1000));
    expect(s.positions[0]!.seq).toBe(1); // the oldest survives: where the outage began
  });
});

describe('Forwarder: what goes out and what `stored` confirms', () => {
  const setup = (seqs: number[]) => ({ s: stateWith(seqs), f: new Forwarder() });
  const confirm = (s: SpoolState, f: Forwarder, seq: number) => {
    for (const r of f.confirm(s, seq)) s.apply(r);
    f.prune(s);
  };

  it('after a reconnect: only the newest until the server answers, then the backlog oldest first', () => {
    const { s, f } = setup(range(1, 6));
    f.connect();
    expect(f.take(s, 100).map((p) => p.seq)).toEqual([6]);
    expect(f.take(s, 100)).toEqual([]); // unverified: nothing more
    confirm(s, f, 6);
    expect(seqsOf(s)).toEqual([1, 2, 3, 4, 5]); // stored {6} confirms only 6: the rest may never have reached the server
    expect(f.take(s, 100).map((p) => p.seq)).toEqual([1, 2, 3, 4, 5]);
    confirm(s, f, 3);
    expect(seqsOf(s)).toEqual([4, 5]);
    confirm(s, f, 5);
    expect(seqsOf(s)).toEqual([]);
  });

  it('a stored for the newest sent before the backlog does not confirm the backlog (publish order, not seq order)', () => {
    const { s, f } = setup(range(1, 3));
    f.connect();
    f.take(s, 100); // 3 (probe)
    confirm(s, f, 3);
    s.apply({ t: 'pos', p: pos(4) });
    // 4 is live: it goes first, before the backlog 1, 2
    expect(f.take(s, 100).map((p) => p.seq)).toEqual([4, 1, 2]);
    confirm(s, f, 4);
    expect(seqsOf(s)).toEqual([1, 2]);
    confirm(s, f, 2);
    expect(seqsOf(s)).toEqual([]);
  });

  it('live positions interleaved with the backlog confirm only what went out in order before them', () => {
    const { s, f } = setup(range(1, 10));
    f.connect();
    f.take(s, 3);
    confirm(s, f, 10); // verified
    expect(f.take(s, 3).map((p) => p.seq)).toEqual([1, 2, 3]);
    s.apply({ t: 'pos', p: pos(11) });
    expect(f.take(s, 3).map((p) => p.seq)).toEqual([11]); // window full, but live goes
    confirm(s, f, 11); // everything ≤ 3 went before 11, and 11 itself
    expect(seqsOf(s)).toEqual(range(4, 9));
    expect(f.take(s, 3).map((p) => p.seq)).toEqual([4, 5, 6]);
  });

  it('a stored for a seq from a previous run confirms only that seq', () => {
    const { s, f } = setup(range(1, 5));
    f.connect();
    confirm(s, f, 4);
    expect(seqsOf(s)).toEqual([1, 2, 3, 5]);
  });

  it('a stored for a seq never used is ignored', () => {
    const { s, f } = setup(range(1, 5));
    f.connect();
    f.take(s, 10);
    expect(f.confirm(s, 99)).toEqual([]);
  });

  it('a stored arriving late for the previous connection does not verify the new one', () => {
    const { s, f } = setup(range(1, 3));
    f.connect();
    f.take(s, 10); // 3 on connection 1
    f.connect(); // broker restarted
    s.apply({ t: 'pos', p: pos(4) });
    expect(f.take(s, 10).map((p) => p.seq)).toEqual([4]);
    confirm(s, f, 3); // from connection 1's session
    expect(f.isVerified).toBe(false);
    expect(f.take(s, 10)).toEqual([]);
    confirm(s, f, 4);
    expect(f.isVerified).toBe(true);
    expect(f.take(s, 10).map((p) => p.seq)).toEqual([1, 2]);
  });

  it('a resend round publishes everything unconfirmed again, and the smallest bound counts', () => {
    const { s, f } = setup(range(1, 4));
    f.connect();
    f.take(s, 10);
    confirm(s, f, 4);
    expect(f.take(s, 10).map((p) => p.seq)).toEqual([1, 2, 3]);
    f.startRound(); // no confirmation came: the server may have lost them
    expect(f.take(s, 10).map((p) => p.seq)).toEqual([1, 2, 3]);
    confirm(s, f, 2);
    expect(seqsOf(s)).toEqual([3]);
  });

  it('reprobe re-sends the newest while unverified', () => {
    const { s, f } = setup([1, 2]);
    f.connect();
    expect(f.take(s, 10).map((p) => p.seq)).toEqual([2]);
    expect(f.take(s, 10)).toEqual([]);
    f.reprobe();
    expect(f.take(s, 10).map((p) => p.seq)).toEqual([2]);
  });
});

describe('FileSpool on disk', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'spool-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('records round-trip with a checksum; a flipped byte is rejected', () => {
    const line = encodeRecord({ t: 'pos', p: pos(1) });
    expect(decodeRecord(line.slice(0, -1))).toEqual({ t: 'pos', p: pos(1) });
    expect(decodeRecord(line.slice(0, -1).replace('"lat":10', '"lat":11'))).toBeNull();
  });

  it('survives a restart: positions, crew messages, memo and seq reservation', () => {
    const d = dir();
    const a = new FileSpool({ dir: d });
    a.commit([{ t: 'seq', below: 2000 }, { t: 'pos', p: pos(1000) }, { t: 'pos', p: pos(1001) }], false);
    a.commit([{ t: 'msg', m: { id: 1, kind: 'status', msg: { status: 'en_route', ts: 5 } } }, { t: 'memo', memo: { x: 1 } }], true);
    a.commit([{ t: 'stored', upTo: 1000 }], false);
    a.close();
    const b = new FileSpool({ dir: d });
    expect(seqsOf(b.state)).toEqual([1001]);
    expect(b.state.messages).toHaveLength(1);
    expect(b.state.memo).toEqual({ x: 1 });
    expect(b.state.firstFreeSeq(0)).toBe(2000);
    expect(b.load).toEqual({ records: 6, tornTail: false, badLines: 0 });
    b.close();
  });

  it.each([
    ['cut mid-line (no newline)', (f: string) => truncateSync(f, statSync(f).size - 7)],
    ['half a record appended', (f: string) => appendFileSync(f, '{"t":"pos","p":{"seq":9')],
    ['garbage with a newline at the end', (f: string) => appendFileSync(f, '{"t":"pos"\u0000\u0000\u0000\n')],
  ])('power loss: a torn last line (%s) is cut off and the rest kept', (_n, tear) => {
    const d = dir();
    const a = new FileSpool({ dir: d, syncIntervalMs: 0 });
    a.commit([1, 2, 3].map((q) => ({ t: 'pos', p: pos(q) }) as const), false);
    a.close();
    const file = join(d, 'spool.log');
    const lengthBefore = readFileSync(file).length;
    tear(file);
    const b = new FileSpool({ dir: d });
    expect(b.load.tornTail).toBe(true);
    const expected = statSync(file).size < lengthBefore ? [1, 2] : [1, 2, 3];
    expect(seqsOf(b.state)).toEqual(expected);
    // and the log is whole again: appends after recovery replay cleanly
    b.commit([{ t: 'pos', p: pos(10) }], true);
    b.close();
    const c = new FileSpool({ dir: d });
    expect(seqsOf(c.state)).toEqual([...expected, 10]);
    expect(c.load.tornTail).toBe(false);
    c.close();
  });

  it('a corrupt line in the middle is skipped and counted, later lines still count', () => {
    const lines = [1, 2, 3].map((q) => encodeRecord({ t: 'pos', p: pos(q) }));
    lines[1] = lines[1]!.replace('"seq":2', '"seq":7');
    const s = new SpoolState();
    const r = replayLog(lines.join(''), s);
    expect(r).toMatchObject({ records: 2, badLines: 1, tornTail: false });
    expect(seqsOf(s)).toEqual([1, 3]);
  });

  it('compaction keeps the live state and shrinks the log', () => {
    const d = dir();
    const a = new FileSpool({ dir: d, compactAfterLines: 200 });
    for (let q = 1; q <= 1000; q++) {
      a.commit([{ t: 'pos', p: pos(q) }], false);
      if (q % 10 === 0) a.commit([{ t: 'stored', upTo: q - 2 }], false);
    }
    a.close();
    const lines = readFileSync(join(d, 'spool.log'), 'utf8').trim().split('\n').length;
    expect(lines).toBeLessThan(250);
    const b = new FileSpool({ dir: d });
    expect(seqsOf(b.state)).toEqual([999, 1000]);
    expect(b.state.firstFreeSeq(0)).toBe(1001);
    b.close();
  });

  it('a missing directory is created', () => {
    const d = join(dir(), 'a', 'b');
    const s = new FileSpool({ dir: d });
    s.close();
    writeFileSync(join(d, 'x'), '');
  });
});
