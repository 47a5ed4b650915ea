import type { CreateIncidentResponse } from '@lifeline/protocol';
import { demoCall, nextCallInSec, type DemoStreet } from '../core/demo/demoCall.ts';
import type { MapArea } from '../core/mapArea.ts';
import type { AutoAssigner } from './autoAssign.ts';
import type { DispatchService } from './dispatch.ts';

/** Who places demo calls and, when auto-assign leaves one, assigns it: named on the timeline. */
export const DEMO_CALLER = 'demo:caller';
export const DEMO_DISPATCHER = 'dispatcher:demo-dispatcher';
/** The first call comes soon after start, so a newcomer sees the cycle without waiting. */
const FIRST_CALL_SEC = 10;

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
  private stopped = false;
  private readonly rng: () => number;

  constructor(private readonly d: DemoCallsDeps) {
    this.rng = d.rng ?? Math.random;
  }

  start(): void {
    this.schedule(FIRST_CALL_SEC);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
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
    const created = await this.d.autoAssign.afterCreate(await this.d.dispatch.createIncident(demoCall(this.d.area, this.d.streets, this.rng), DEMO_CALLER));
    if (created.incident.vehicleId || created.autoAssign?.assigned) return created;
    for (const rec of created.recommendations) {
      const r = await this.d.dispatch.assign(created.incident.id, rec.vehicleId, DEMO_DISPATCHER, 'demo');
      if (r.ok) return { ...created, incident: r.incident };
    }
    this.d.log.info({ incidentId: created.incident.id }, 'demo call waits: no unit free');
    return created;
  }
}
