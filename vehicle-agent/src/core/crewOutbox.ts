import type { SpooledMessage, SpoolRecord, SpoolState } from './spool.ts';

/**
 * Crew messages (status, ack) on their way to the server: at-least-once, confirmed by the
 * application. Each goes out with `mid` = its spool id and stays spooled until a `stored {mids}`
 * names it — the server sends that after the message is applied and committed (a broker PUBACK
 * confirms nothing). The head goes out again on a new connection, when the server restarted (a new
 * `boot`: it may have acked the broker and died before applying it), and when no confirmation came
 * within `resendAfterMs`; the server treats a repeat as stale and confirms it again.
 *
 * One at a time, in the order the crew pressed: the next message leaves only once the previous one
 * is confirmed. The server ignores a status whose device time is not after the last one it applied,
 * so if `en_route` were lost by a crashing server while `on_scene` went through, re-sending
 * `en_route` would change nothing and the step would be missing from the timeline. Crew messages
 * are a handful per incident; one round trip each costs nothing.
 */
export class CrewOutbox {
  /** The head message as last published, and when (device clock, ms). */
  private sent: { id: number; atMs: number } | null = null;

  /** The message to publish now, or null (nothing spooled, or the head is out and not yet overdue). */
  next(state: SpoolState, nowMs: number, resendAfterMs: number): SpooledMessage | null {
    const head = state.messages[0];
    if (!head) {
      this.sent = null;
      return null;
    }
    if (this.sent?.id === head.id && nowMs - this.sent.atMs < resendAfterMs) return null;
    this.sent = { id: head.id, atMs: nowMs };
    return head;
  }

  /** Publish the head again at the next `next` (a new connection, or the server restarted). */
  resend(): void {
    this.sent = null;
  }

  /** The records that drop the spooled crew messages named by `stored {mids}` (ids not spooled are ignored). */
  confirm(state: SpoolState, mids: readonly number[]): SpoolRecord[] {
    const named = new Set(mids);
    const ids = state.messages.filter((m) => named.has(m.id)).map((m) => m.id);
    return ids.length ? [{ t: 'drop', ids }] : [];
  }
}
