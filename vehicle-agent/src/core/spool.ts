import type { AckMsg, PositionMsg, StatusMsg } from '@lifeline/protocol';

/**
 * The store-and-forward spool, pure part: what is waiting for the server, as a state that records
 * change (the file adapter appends the same records to disk and replays them at start, see
 * spool/fileSpool.ts). Positions leave only when the server's `stored {seq}` confirms them (see
 * Forwarder); crew messages (status, ack) when `stored {mids}` names them (see core/crewOutbox.ts).
 * A broker PUBACK confirms nothing.
 */

/** A crew message waiting to be delivered, in the order the crew made them. */
export type SpooledMessage =
  | { id: number; kind: 'status'; msg: StatusMsg & { hospitalId?: string } }
  | { id: number; kind: 'ack'; msg: AckMsg };

/** One line of the spool log. */
export type SpoolRecord =
  /**
   * Seqs below `below` may have been used: the next run starts at or above it. `midBelow`: the same
   * for crew message ids (written by compaction, which forgets delivered messages).
   */
  | { t: 'seq'; below: number; midBelow?: number }
  | { t: 'pos'; p: PositionMsg }
  | { t: 'msg'; m: SpooledMessage }
  /** Every position with seq ≤ upTo is confirmed stored. */
  | { t: 'stored'; upTo: number }
  /** These positions (confirmed one by one, or thinned) and crew messages (delivered) leave the spool. */
  | { t: 'drop'; seqs?: number[]; ids?: number[] }
  /** The agent's own state to restore after a restart (current assignment, status): opaque here. */
  | { t: 'memo'; memo: unknown };

export interface SpoolLimits {
  /**
   * Positions kept at most. When a new one would exceed it, every second position of the oldest
   * half is dropped (the old part of the track gets sparser, the recent part stays whole, the
   * newest is never dropped). Crew messages are never dropped. Default 100 000 (≈ 28 h at one
   * report a second, ~10 MB on disk).
   */
  maxPositions: number;
  /** Seqs are reserved on disk this many at a time, so the log is not fsynced for every position. */
  seqBlock: number;
}

export const DEFAULT_SPOOL_LIMITS: SpoolLimits = { maxPositions: 100_000, seqBlock: 1000 };

/** First index in `ps` (sorted by seq) whose seq is > `seq`. */
export function upperBound(ps: readonly PositionMsg[], seq: number): number {
  let lo = 0;
  let hi = ps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ps[mid]!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SpoolState {
  /** Unconfirmed positions, ascending seq (seq grows with time, so also oldest first). */
  positions: PositionMsg[] = [];
  /** Undelivered crew messages, ascending id. */
  messages: SpooledMessage[] = [];
  /** Every seq below this may have been used. */
  seqReservedBelow = 0;
  /** Highest seq ever seen (used or reserved), −1 before the first. */
  maxSeq = -1;
  nextMessageId = 1;
  memo: unknown = null;
  /** Positions dropped by thinning (this run and, after replay, earlier runs since the last compaction). */
  thinned = 0;

  apply(r: SpoolRecord): void {
    switch (r.t) {
      case 'seq':
        this.seqReservedBelow = Math.max(this.seqReservedBelow, r.below);
        if (r.midBelow !== undefined) this.nextMessageId = Math.max(this.nextMessageId, r.midBelow);
        return;
      case 'pos': {
        const last = this.positions.at(-1);
        if (!last || last.seq < r.p.seq) this.positions.push(r.p);
        else {
          // Only after a corrupted middle line was skipped: keep the order anyway.
          const i = upperBound(this.positions, r.p.seq);
          if (this.positions[i - 1]?.seq !== r.p.seq) this.positions.splice(i, 0, r.p);
        }
        this.maxSeq = Math.max(this.maxSeq, r.p.seq);
        return;
      }
      case 'msg':
        this.messages.push(r.m);
        this.nextMessageId = Math.max(this.nextMessageId, r.m.id + 1);
        return;
      case 'stored':
        this.positions.splice(0, upperBound(this.positions, r.upTo));
        return;
      case 'drop': {
        if (r.seqs?.length) {
          const gone = new Set(r.seqs);
          this.positions = this.positions.filter((p) => !gone.has(p.seq));
        }
        if (r.ids?.length) {
          const gone = new Set(r.ids);
          this.messages = this.messages.filter((m) => !gone.has(m.id));
        }
        return;
      }
      case 'memo':
        this.memo = r.memo;
        return;
    }
  }

  /** The first seq this run may use: above everything reserved or seen, and not below the device clock. */
  firstFreeSeq(clockMs: number): number {
    return Math.max(this.seqReservedBelow, this.maxSeq + 1, Math.floor(clockMs));
  }

  /**
   * Raises the next crew message id to the device clock (ms) at start, as seqs are: ids never repeat
   * even if the spool directory was wiped, so a late `stored {mids}` cannot confirm a new message.
   */
  raiseMessageIds(clockMs: number): void {
    this.nextMessageId = Math.max(this.nextMessageId, Math.floor(clockMs));
  }

  /** The records that rebuild this state from nothing (what compaction writes). */
  snapshot(): SpoolRecord[] {
    return [
      { t: 'seq', below: Math.max(this.seqReservedBelow, this.maxSeq + 1), midBelow: this.nextMessageId },
      ...(this.memo === null ? [] : [{ t: 'memo', memo: this.memo } as const]),
      ...this.messages.map((m) => ({ t: 'msg', m }) as const),
      ...this.positions.map((p) => ({ t: 'pos', p }) as const),
    ];
  }
}

/**
 * The drop record that keeps the spool within `maxPositions` once one more position is added, or
 * null when there is room: every second position of the oldest half goes (repeated fills thin the
 * oldest part further: 1/s becomes 1/2 s, 1/4 s…).
 */
export function thinning(positions: readonly PositionMsg[], limits: SpoolLimits): { t: 'drop'; seqs: number[] } | null {
  if (positions.length < limits.maxPositions) return null;
  const half = Math.max(2, Math.floor(positions.length / 2));
  const seqs: number[] = [];
  for (let i = 1; i < half && i < positions.length - 1; i += 2) seqs.push(positions[i]!.seq);
  if (seqs.length === 0) seqs.push(positions[0]!.seq); // maxPositions of 1–2: drop the oldest
  return { t: 'drop', seqs };
}

/**
 * Which positions to publish, and what a `stored {seq, boot}` confirms. Server semantics: `stored
 * {s, boot: B}` means every position the server run B received from this vehicle up to and including
 * s, in receive order, is committed. Within one connection the server receives in our publish order
 * (one topic, QoS 1, TCP, the server's persistent session) — but only from the moment its
 * subscription is in place: after a broker restart the agent may reconnect before the server has
 * re-subscribed, and what it publishes then is dropped by the broker. So each connection starts
 * unverified: only the newest position goes out (the live map first) until a `stored` names a
 * position first sent on this connection (the anchor). Everything published on this connection from
 * the anchor's last send on reaches the server, in order; the backlog follows, oldest first.
 *
 * We publish out of seq order on purpose (newest first, live fixes ahead of the backlog), so
 * "everything ≤ s" would be wrong. Instead we keep this connection's publish log: `stored {s}`
 * confirms every position published from the anchor up to s's first publication after the anchor.
 * A seq not published after the anchor (sent before it, or by a previous run) confirms only itself.
 *
 * Server restarts (`boot` changes). The server acks the broker before its batch commit, so a server
 * killed in between loses that batch while the broker and our connection stay up; the next run's
 * `stored` would otherwise cover it. When a `stored` carries a boot other than the last one seen:
 * - the anchor is dropped and a round starts: everything unconfirmed goes out again (duplicates are
 *   dropped by the server by (vehicle, seq));
 * - the *mark* is the current end of the publish log. The new run was alive when it sent that
 *   `stored`, so it receives everything we publish from the mark on (persistent session);
 * - until the new run confirms a position first published at or after the mark (by this run of the
 *   agent, on this connection: its only copies are past the mark, so the run received them all
 *   before it), each `stored` confirms only its own seq. That one re-anchors the window at the mark:
 *   it confirms everything published from the mark up to it. In practice the next fresh fix.
 * A late `stored` of an earlier run counts as a boot change too (it only makes us re-send more).
 * This assumes one server run receives a vehicle's positions at a time (no shared subscriptions
 * splitting one vehicle across instances). Several server instances keep it: only the vehicle's
 * owner confirms, each ownership stint under its own boot (server/src/core/ownership.ts).
 *
 * A round also restarts when nothing was confirmed for a while (the agent's resend timer): this is
 * what recovers when a restarted server receives nothing from us to answer. The agent drops the
 * MQTT client's own retransmissions at every disconnect so that the spool is the only resend path
 * (a restarted broker may have lost messages it had acknowledged).
 */
export class Forwarder {
  private conn = 0;
  private verified = false;
  /** Sent on the current connection. */
  private readonly connSent = new Set<number>();
  /** Highest seq sent on the current connection: a newer one is live and goes ahead of the backlog. */
  private connMaxSent = -1;
  /** Each seq's first publication by this run: connection number and absolute log index. */
  private readonly firstSent = new Map<number, { conn: number; at: number }>();
  /** This connection's publish log from `logBase` on (absolute indices), and where each seq is in it. */
  private log: number[] = [];
  private logBase = 0;
  private readonly logAt = new Map<number, number[]>();
  /** Absolute log index from which every publish is known to reach the current server run; null while unknown. */
  private anchor: number | null = null;
  /** The last `boot` seen in a `stored` (undefined: none yet, or a server that sends none). */
  private boot: string | undefined;
  private bootSeen = false;
  /** After a boot change on a verified connection: the log index from which the new run receives everything. */
  private mark: number | null = null;
  /** Every spooled position with seq ≤ sentUpTo went out in this round. */
  private sentUpTo = -1;
  /** Sent in this round above sentUpTo (the newest and live positions sent ahead of the backlog). */
  private readonly ahead = new Set<number>();

  /** @param inheritedUpTo seqs up to this may have been published by an earlier run of the agent. */
  constructor(private readonly inheritedUpTo = -1) {}

  /** A new connection: unverified until a `stored` names a position first sent on it. */
  connect(): void {
    this.conn++;
    this.verified = false;
    this.anchor = null;
    this.mark = null;
    this.connSent.clear();
    this.connMaxSent = -1;
    this.log = [];
    this.logBase = 0;
    this.logAt.clear();
    this.startRound();
  }

  get isVerified(): boolean {
    return this.verified;
  }

  /** A server restart was noticed and its first fresh confirmation is awaited (see the class comment). */
  get awaitingNewRun(): boolean {
    return this.mark !== null;
  }

  /** Everything unconfirmed goes out again (call when confirmations stopped coming). */
  startRound(): void {
    this.sentUpTo = -1;
    this.ahead.clear();
  }

  /** Unverified and no answer: send the newest position again. */
  reprobe(): void {
    this.connSent.clear();
    this.connMaxSent = -1;
  }

  /**
   * The server run behind a `stored`. Returns true when it differs from the last one seen (the server
   * restarted and may have lost what it had not committed); then the window is re-anchored as the
   * class comment says. `confirm` calls it too; call it for a `stored` that confirms no position.
   */
  noteBoot(boot: string | undefined): boolean {
    if (this.bootSeen && boot === this.boot) return false;
    const first = !this.bootSeen;
    this.bootSeen = true;
    this.boot = boot;
    if (first) return false;
    if (this.verified) {
      this.anchor = null;
      this.mark = this.logBase + this.log.length;
      this.startRound();
    }
    return true;
  }

  /** Sent in this round and still spooled. */
  inFlight(state: SpoolState): number {
    const ps = state.positions;
    let n = upperBound(ps, this.sentUpTo);
    for (const s of this.ahead) if (s > this.sentUpTo && ps[upperBound(ps, s) - 1]?.seq === s) n++;
    return n;
  }

  /**
   * The positions to publish now, in order. The newest unsent one always goes (the live map must
   * not wait for a backlog); backlog sends wait for verification and stop at `maxInFlight`.
   */
  take(state: SpoolState, maxInFlight: number): PositionMsg[] {
    const out: PositionMsg[] = [];
    const ps = state.positions;
    const newest = ps.at(-1);
    if (!newest) return out;
    const send = (p: PositionMsg) => {
      out.push(p);
      this.connSent.add(p.seq);
      this.connMaxSent = Math.max(this.connMaxSent, p.seq);
      const at = this.logBase + this.log.length;
      if (!this.firstSent.has(p.seq)) this.firstSent.set(p.seq, { conn: this.conn, at });
      this.log.push(p.seq);
      const list = this.logAt.get(p.seq);
      if (list) list.push(at);
      else this.logAt.set(p.seq, [at]);
      if (p.seq > this.sentUpTo) this.ahead.add(p.seq);
      this.advance(state);
    };
    if (!this.verified) {
      if (!this.connSent.has(newest.seq)) send(newest);
      return out;
    }
    if (newest.seq > this.connMaxSent) send(newest);
    let inFlight = this.inFlight(state);
    for (let i = upperBound(ps, this.sentUpTo); i < ps.length && inFlight < maxInFlight; i = upperBound(ps, this.sentUpTo)) {
      const p = ps[i]!;
      if (this.ahead.has(p.seq)) {
        this.advance(state);
        continue;
      }
      send(p);
      inFlight++;
    }
    return out;
  }

  /** Moves sentUpTo over the next spooled positions while they were sent ahead. */
  private advance(state: SpoolState): void {
    const ps = state.positions;
    for (let i = upperBound(ps, this.sentUpTo); i < ps.length && this.ahead.has(ps[i]!.seq); i++) {
      this.ahead.delete(ps[i]!.seq);
      this.sentUpTo = ps[i]!.seq;
    }
  }

  /**
   * What `stored {seq, boot}` confirms, as the records that drop it from the spool (empty when
   * nothing spooled is confirmed). Ignores a seq above every seq this spool has used (a server bug).
   */
  confirm(state: SpoolState, seq: number, boot?: string): SpoolRecord[] {
    if (seq > state.maxSeq) return [];
    this.noteBoot(boot);
    const at = this.logAt.get(seq);
    const first = this.firstSent.get(seq);
    if (!this.verified && at && first?.conn === this.conn) {
      // The server received one of its publications; from the last one on, it receives them all.
      this.verified = true;
      this.anchor = at.at(-1)!;
      this.mark = null;
      this.startRound();
    } else if (this.mark !== null && seq > this.inheritedUpTo && first?.conn === this.conn && first.at >= this.mark) {
      // The new server run received a position that exists only past the mark: it has committed
      // everything it received before it, which includes everything we published from the mark on.
      this.anchor = this.mark;
      this.mark = null;
    }
    const confirmed = new Set<number>([seq]);
    const from = this.anchor;
    const upto = from === null ? undefined : at?.find((i) => i >= from);
    if (from !== null && upto !== undefined) {
      for (let i = from; i <= upto; i++) confirmed.add(this.log[i - this.logBase]!);
      this.trim(upto + 1);
    }
    return dropRecords(state.positions, confirmed);
  }

  /** Forgets the log before `index`: it is confirmed, and what follows still reaches the server. */
  private trim(index: number): void {
    const n = index - this.logBase;
    for (const s of new Set(this.log.slice(0, n))) {
      const list = (this.logAt.get(s) ?? []).filter((i) => i >= index);
      if (list.length) this.logAt.set(s, list);
      else this.logAt.delete(s);
    }
    this.log.splice(0, n);
    this.logBase = index;
    this.anchor = index;
  }

  /** Forgets what it knows of positions that left the spool (call after applying records). */
  prune(state: SpoolState): void {
    const lowest = state.positions[0]?.seq ?? Infinity;
    for (const s of this.firstSent.keys()) if (s < lowest) this.firstSent.delete(s);
  }
}

/** Records that drop the `confirmed` seqs from `ps`: one `stored upTo` for the confirmed run at the bottom, a `drop` for the rest. */
export function dropRecords(ps: readonly PositionMsg[], confirmed: ReadonlySet<number>): SpoolRecord[] {
  let i = 0;
  while (i < ps.length && confirmed.has(ps[i]!.seq)) i++;
  const records: SpoolRecord[] = [];
  if (i > 0) records.push({ t: 'stored', upTo: ps[i - 1]!.seq });
  const rest: number[] = [];
  for (let j = i; j < ps.length; j++) if (confirmed.has(ps[j]!.seq)) rest.push(ps[j]!.seq);
  if (rest.length) records.push({ t: 'drop', seqs: rest });
  return records;
}
