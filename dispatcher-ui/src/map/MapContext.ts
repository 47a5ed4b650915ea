import { createContext, useContext } from 'react';
import type { Map as MlMap } from 'maplibre-gl';

export interface MapHandle {
  map: MlMap;
  /** Layers whose features take clicks themselves; a click on them does not place a call. */
  interactiveLayers: Set<string>;
}

export const MapContext = createContext<MapHandle | null>(null);

/** The one map instance, for layer components (rendered only once the style has loaded). */
export function useMap(): MapHandle {
  const m = useContext(MapContext);
  if (!m) throw new Error('useMap outside <MapView>');
  return m;
}

/**
 * Runs a layer's teardown unless the map itself is already gone (when the whole view unmounts,
 * the map may be removed before its layer components clean up).
 */
export function removeFromMap(map: MlMap, teardown: () => void): void {
  try {
    if (map.getStyle()) teardown();
  } catch {
    // the map was removed first; nothing left to clean
  }
}
