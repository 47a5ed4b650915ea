import type { CreateIncidentResponse, Incident } from '@lifeline/protocol';
import { demoCall, nextCallInSec, type DemoStreet } from '../core/demo/demoCall.ts';
import type { MapArea } from '../core/mapArea.ts';
import type { AutoAssigner } from './autoAssign.ts';
import type { DispatchService } from './dispatch.ts';

/** Who places demo calls and, when auto-assign leaves one, assigns it: named on the timeline. */
export const DEMO_CALLER = 'demo:caller';
export const DEMO_DISPATCHER = 'dispatcher:demo-dispatcher';
/** The first call comes soon after start, so a newcomer sees the cycle without waiting. */
const FIRST_CALL_SEC = 10;
/** A demo call no unit was free for is offered again this often, seconds. */
const RETRY_SEC = 15;

export interface DemoCallsDeps {
  dispatch: DispatchService;
  autoAssign: AutoAssigner;
  area: MapArea;
  streets: readonly DemoStreet[];
  perHour: number;
  rng?: () => number;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/**
 * The demo call generator (DEMO_CALLS=<per hour>, on in `npm start`'s demo, off otherwise): places
 * realistic calls near the map centre and lets the cycle complete — auto-assign when its policy
 * covers the call, else a demo dispatcher takes the best recommended unit; the simulated unit then
 * drives to the scene and the hospital by itself.
 */
export class DemoCalls {
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Demo calls still waiting for a unit (none was free, e.g. before the simulated fleet was online). */
  private readonly waiting = new Set<string>();
  private stopped = false;
  private readonly rng: () => number;

  constructor(private readonly d: DemoCallsDeps) {
    this.rng = d.rng ?? Math.random;
  }

  start(): void {
    this.schedule(FIRST_CALL_SEC);
    this.retryTimer = setInterval(() => void this.retryWaiting().catch((err: unknown) => this.d.log.warn({ err }, 'demo call retry failed')), RETRY_SEC * 1000);
    this.retryTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.retryTimer) clearInterval(this.retryTimer);
  }

  private schedule(inSec: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.placeOne()
        .catch((err: unknown) => this.d.log.warn({ err }, 'demo call failed'))
        .finally(() => this.schedule(nextCallInSec(this.d.perHour, this.rng)));
    }, inSec * 1000);
    this.timer.unref();
  }

  /** Places one call and assigns it; resolves with the call as created (and assigned, when a unit was free). */
  async placeOne(): Promise<CreateIncidentResponse> {
    // No idempotency claim here, so a call is always created (null only comes with a lost claim).
    const placed = await this.d.dispatch.createIncident(demoCall(this.d.area, this.d.streets, this.rng), DEMO_CALLER);
    if (!placed) throw new Error('demo call not created');
    const created = await this.d.autoAssign.afterCreate(placed);
    if (created.incident.vehicleId || created.autoAssign?.assigned) return created;
    const incident = await this.assignBest(created.incident.id, created.recommendations);
    if (incident) return { ...created, incident };
    this.waiting.add(created.incident.id);
    this.d.log.info({ incidentId: created.incident.id }, 'demo call waits: no unit free');
    return created;
  }

  /** The demo dispatcher takes the best recommended unit that is still free; null when none is. */
  private async assignBest(incidentId: string, recs: readonly { vehicleId: string }[]): Promise<Incident | null> {
    for (const rec of recs) {
      const r = await this.d.dispatch.assign(incidentId, rec.vehicleId, DEMO_DISPATCHER, 'demo');
      if (r.ok) return r.incident;
    }
    return null;
  }

  /** Offers the waiting demo calls to the units free now; forgets those that got a unit or ended meanwhile. */
  async retryWaiting(): Promise<void> {
    for (const id of [...this.waiting]) {
      const incident = await this.d.dispatch.getIncident(id);
      if (!incident || incident.vehicleId || incident.state !== 'triaged') {
        this.waiting.delete(id);
        continue;
      }
      if (await this.assignBest(id, await this.d.dispatch.recommendations(incident, DEMO_DISPATCHER))) this.waiting.delete(id);
    }
  }
}
