import { createHash } from 'node:crypto';

/**
 * Which server instance does a vehicle's side effects: writes its positions and confirms them with
 * `stored`, applies its statuses and acks. Every instance receives every vehicle message (its live
 * index stays complete); only the owner acts on it.
 */
export interface VehicleOwner {
  /**
   * The `boot` to put in this vehicle's `stored` confirmations when this instance owns it now, else
   * null (index only, no side effect).
   */
  owns(vehicleId: string): string | null;
}

/** One instance alone: it owns every vehicle, in one stint per run. */
export const soleOwner = (boot: string): VehicleOwner => ({ owns: () => boot });

/**
 * Ownership among several instances: rendezvous hashing of the vehicle id over the live instances
 * (an instance joining or leaving moves only its share of the vehicles). The live set is what the
 * instances announce on the broker (retained presence, emptied by their last will), applied in the
 * order the broker delivers it, so every instance switches at the same point of the message stream.
 *
 * An instance counts itself only once it has seen its own presence of this run: messages queued for
 * it while it was down come before that, and another instance owned them.
 *
 * A `stored {seq, boot}` means "every position this run received from the vehicle up to seq is
 * committed". An instance that lost a vehicle and got it back did not handle what came in between,
 * so each uninterrupted stint of ownership confirms with its own `boot` (`{run}.{stint}`): the agent
 * then treats it as a new server run (re-sends what is unconfirmed, re-anchors its window).
 */
export class Ownership implements VehicleOwner {
  /** Live instances and their runs. */
  private readonly members = new Map<string, string>();
  private generation = 0;
  /** Vehicles seen so far → the generation their current stint began, or null when not ours. */
  private readonly stints = new Map<string, number | null>();

  constructor(
    readonly self: string,
    readonly boot: string,
  ) {}

  /** An instance's presence (`boot`) or its leaving (null). Returns true when the live set changed. */
  apply(instanceId: string, boot: string | null): boolean {
    const before = this.members.get(instanceId);
    if (boot === null) this.members.delete(instanceId);
    else this.members.set(instanceId, boot);
    const wasLive = before !== undefined && this.live(instanceId, before);
    const isLive = boot !== null && this.live(instanceId, boot);
    if (wasLive === isLive) return false;
    this.generation++;
    for (const [vehicleId, since] of this.stints) {
      const mine = this.ownerOf(vehicleId) === this.self;
      if (!mine) this.stints.set(vehicleId, null);
      else if (since === null) this.stints.set(vehicleId, this.generation);
    }
    return true;
  }

  owns(vehicleId: string): string | null {
    let since = this.stints.get(vehicleId);
    if (since === undefined) {
      since = this.ownerOf(vehicleId) === this.self ? this.generation : null;
      this.stints.set(vehicleId, since);
    }
    return since === null ? null : `${this.boot}.${since}`;
  }

  /** The live instances, sorted (for logs and /healthz). */
  liveInstances(): string[] {
    return [...this.members].filter(([id, boot]) => this.live(id, boot)).map(([id]) => id).sort();
  }

  /** The instance that owns `vehicleId` in this view, or null when none is live. */
  ownerOf(vehicleId: string): string | null {
    let best: string | null = null;
    let bestScore = -1;
    for (const [id, boot] of this.members) {
      if (!this.live(id, boot)) continue;
      const score = rendezvousScore(id, vehicleId);
      if (score > bestScore || (score === bestScore && best !== null && id < best)) {
        best = id;
        bestScore = score;
      }
    }
    return best;
  }

  /** Our own entry counts only for this run (an older one is a retained leftover of a previous run). */
  private live(instanceId: string, boot: string): boolean {
    return instanceId !== this.self || boot === this.boot;
  }
}

/** Highest-random-weight score of an instance for a vehicle: 48 bits of SHA-1, the same on every instance. */
export function rendezvousScore(instanceId: string, vehicleId: string): number {
  return createHash('sha1').update(instanceId).update('\0').update(vehicleId).digest().readUIntBE(0, 6);
}
