import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import './styles.css';
import { api, setUnauthorizedHandler, type ClientConfig } from './api.ts';
import { Root } from './Root.tsx';
import { I18nProvider } from './i18n/I18n.tsx';
import { Session } from './features/auth/session.ts';
import { createLiveSocket } from './realtime/socket.ts';
import { LiveStore } from './realtime/store.ts';
import { clockOffsetMs, setServerClockOffset } from './features/serverClock.ts';

// Bundled, the worker cannot find itself: point MapLibre at the emitted file.
maplibregl.setWorkerUrl(workerUrl);

/** Thủ Dầu Một, Bình Dương: used when /api/config cannot be read. */
const FALLBACK: ClientConfig = {
  mapStyleUrl: null,
  center: { lat: 10.98, lng: 106.65 },
  etaSources: ['straight_line'],
  attribution: null,
  // The server's Natural Earth land and borders (its road tiles need a loaded graph).
  basemap: { roads: null, boundaries: { maxzoom: 8, attribution: 'Natural Earth' } },
  // The server's defaults (STUCK_DISPATCHED_SEC, SILENT_AFTER_SEC) and KPI targets, in seconds.
  unitThresholds: { stuckDispatchedSec: 120, staleSec: 90 },
  targets: { callToAssign: 60, turnout: 60, travel: 240, response: 900, sceneToHospital: 1800 },
  serverTime: new Date().toISOString(),
};

/** The citizens' 1022 page: public, no login, no live socket (features/line1022/CitizenPage.tsx). */
async function startCitizenPage() {
  const { CitizenPage } = await import('./features/line1022/CitizenPage.tsx');
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <I18nProvider>
        <CitizenPage />
      </I18nProvider>
    </StrictMode>,
  );
}

async function start() {
  const store = new LiveStore();
  const session = new Session();
  setUnauthorizedHandler(() => session.expired());
  const socket = createLiveSocket(store, () => session.expired());
  const timeout = new Promise<null>((res) => setTimeout(() => res(null), 3000));
  const sentAt = Date.now();
  const [r] = await Promise.all([Promise.race([api.config().then((c) => ({ c, receivedAt: Date.now() })), timeout]), session.check()]);
  const config = r?.c.ok ? r.c.value : FALLBACK;
  // Timers are shown in server time, whatever this PC's clock says.
  if (r?.c.ok) setServerClockOffset(clockOffsetMs(r.c.value.serverTime, sentAt, r.receivedAt));
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <I18nProvider>
        <Root store={store} session={session} socket={socket} config={config} />
      </I18nProvider>
    </StrictMode>,
  );
}

if (location.hash.startsWith('#/1022')) void startCitizenPage();
else void start();
