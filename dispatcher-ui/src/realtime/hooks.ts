import { useCallback, useSyncExternalStore } from 'react';
import type { AlertEvent, Incident } from '@lifeline/protocol';
import type { ConnectionState, LiveStore } from './store.ts';

export function useOpenIncidents(store: LiveStore): Incident[] {
  return useSyncExternalStore(store.subscribeIncidents, store.openIncidents);
}

export function useConnection(store: LiveStore): ConnectionState {
  return useSyncExternalStore(store.subscribeConnection, store.connectionState);
}

export function useAlerts(store: LiveStore): AlertEvent[] {
  return useSyncExternalStore(store.subscribeAlerts, store.alerts);
}

/** Moves whenever `incidentId`'s timeline grows without the incident itself changing (re-read it then). */
export function useTimelineTick(store: LiveStore, incidentId: string | null): number {
  const subscribe = useCallback(
    (l: () => void) => store.subscribeTimeline((id) => {
      if (id === incidentId) l();
    }),
    [store, incidentId],
  );
  return useSyncExternalStore(subscribe, () => (incidentId ? store.timelineTick(incidentId) : 0));
}
