import { useSyncExternalStore } from 'react';
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
