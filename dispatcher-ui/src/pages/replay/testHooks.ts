import type { Map as MlMap } from 'maplibre-gl';
import type { ReplayClock } from './ReplayClock.ts';
import { REPLAY_TRACKS_LAYER, REPLAY_UNITS_LAYER } from './ReplayLayers.tsx';

/** Read-only hooks for browser tests (`window.__lifelineReplay`): what the replay map really shows. */
export interface ReplayTestHooks {
  /** The clock's time, epoch ms. */
  timeMs(): number;
  /** Units drawn at the current time, from `queryRenderedFeatures`. */
  renderedUnits(): { id: string; lat: number; lng: number; held: boolean }[];
  /** Ids of the units whose track line is drawn. */
  renderedTracks(): string[];
  idle(): Promise<void>;
}

declare global {
  interface Window {
    __lifelineReplay?: ReplayTestHooks;
  }
}

export function installReplayTestHooks(map: MlMap, clock: ReplayClock): void {
  const q = (layer: string) => (map.getLayer(layer) ? map.queryRenderedFeatures({ layers: [layer] }) : []);
  window.__lifelineReplay = Object.freeze({
    timeMs: () => clock.timeMs,
    renderedUnits: () =>
      q(REPLAY_UNITS_LAYER).flatMap((f) => {
        if (f.geometry.type !== 'Point') return [];
        const [lng, lat] = f.geometry.coordinates as [number, number];
        return [{ id: String(f.properties.id), lat, lng, held: Boolean(f.properties.held) }];
      }),
    renderedTracks: () => [...new Set(q(REPLAY_TRACKS_LAYER).map((f) => String(f.properties.id)))].sort(),
    idle: () =>
      new Promise<void>((resolve) => {
        map.once('idle', () => resolve());
        map.triggerRepaint();
      }),
  });
}
