import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@lifeline/protocol';
import type { LiveStore } from './store.ts';

const SERVER_CLOSED_RETRY_MS = 1000;

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The live feed into the store. Listeners are attached before the socket connects, so the
 * snapshot that follows each (re)connection is never missed. The server sends a fresh snapshot on
 * every connection. A refusal by the server's auth middleware is not retried: `onUnauthorized`
 * asks for a login, after which the caller connects again.
 * Created disconnected; call `connect()` once the session is known.
 */
export function createLiveSocket(store: LiveStore, onUnauthorized: () => void): LiveSocket {
  const socket: LiveSocket = io({ autoConnect: false, reconnectionDelayMax: 5000 });
  socket.on('connect', () => store.onConnect());
  socket.on('disconnect', (reason) => {
    store.onDisconnect();
    // socket.io retries a lost connection by itself, but not one the server closed: a server
    // shutting down (a restart, a deploy) closes every socket that way. Come back once it is up;
    // a refused login on that reconnection goes to `onUnauthorized`.
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), SERVER_CLOSED_RETRY_MS);
  });
  socket.on('connect_error', (err) => {
    store.onDisconnect();
    if (err.message === 'UNAUTHORIZED') onUnauthorized();
  });
  socket.on('snapshot', (s) => store.onSnapshot(s));
  socket.on('units', (d) => store.onUnits(d));
  socket.on('incident', (i) => store.onIncident(i));
  socket.on('alert', (a) => store.onAlert(a));
  socket.on('timeline', (e) => store.onTimeline(e));
  return socket;
}
