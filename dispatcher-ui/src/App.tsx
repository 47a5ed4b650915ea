import { useCallback, useEffect, useRef, useState } from 'react';
import type { Map as MlMap } from 'maplibre-gl';
import type { CreateIncidentResponse, Incident, LatLng, Recommendation, User } from '@lifeline/protocol';
import type { ClientConfig } from './api.ts';
import { useI18n } from './i18n/I18n.tsx';
import { msg, type Msg } from './i18n/format.ts';
import type { MessageKey } from './i18n/dict.ts';
import { useAlerts, useConnection, useOpenIncidents } from './realtime/hooks.ts';
import type { LiveStore } from './realtime/store.ts';
import { MapView } from './map/MapView.tsx';
import { UnitsLayer } from './map/UnitsLayer.tsx';
import { HospitalsLayer } from './map/HospitalsLayer.tsx';
import { IncidentsLayer } from './map/IncidentsLayer.tsx';
import { AssignmentLinesLayer } from './map/AssignmentLinesLayer.tsx';
import { CallPinLayer } from './map/CallPinLayer.tsx';
import { installTestHooks } from './map/testHooks.ts';
import { FrameStats } from './map/frameStats.ts';
import { IntakeForm } from './features/intake/IntakeForm.tsx';
import { Recommendations } from './features/incidents/Recommendations.tsx';
import { IncidentList } from './features/incidents/IncidentList.tsx';
import { AlertList } from './features/incidents/AlertList.tsx';
import { UnitLegend } from './features/units/UnitLegend.tsx';
import { ConnectionBanner } from './features/ConnectionBanner.tsx';

type Panel = { kind: 'intake' } | { kind: 'recs'; incidentId: string; initial: Recommendation[] | null; fallback: Incident };

/** How long a confirmation stays on screen. */
const NOTICE_MS = 10_000;

const ASSIGNABLE: ReadonlySet<Incident['state']> = new Set(['received', 'triaged']);

/**
 * The dispatcher screen: the live map, and a side column with call intake, recommendations and
 * the open incidents. Later features (queue, unit board, incident detail) slot into the column.
 */
export interface AppProps {
  store: LiveStore;
  config: ClientConfig;
  /** Null when the server has no login. */
  user: User | null;
  onLogout(): void;
}

export function App({ store, config, user, onLogout }: AppProps) {
  const { t, tm, locale, setLocale } = useI18n();
  const conn = useConnection(store);
  const incidents = useOpenIncidents(store);
  const alerts = useAlerts(store);
  const [callAt, setCallAt] = useState<LatLng | null>(null);
  const [panel, setPanel] = useState<Panel>({ kind: 'intake' });
  const [selectedUnit, setSelectedUnit] = useState<string | null>(null);
  const [selectedIncident, setSelectedIncident] = useState<string | null>(null);
  const [notice, setNotice] = useState<Msg | null>(null);
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);
  const mapRef = useRef<MlMap | null>(null);
  const frameStats = useRef(new FrameStats()).current;

  const callSign = useCallback((id: string) => store.unit(id)?.callSign ?? id, [store]);
  const incidentNumber = useCallback((id: string) => String(store.incident(id)?.number ?? '?'), [store]);

  const onReady = useCallback(
    (map: MlMap) => {
      mapRef.current = map;
      installTestHooks(map, store, frameStats.snapshot);
    },
    [store, frameStats],
  );

  /** A new call location (map click, dragged pin, typed coordinates) brings the intake form back. */
  const placeCall = useCallback((at: LatLng | null, typed: boolean) => {
    setCallAt(at);
    if (!at) return;
    setPanel({ kind: 'intake' });
    if (typed) mapRef.current?.easeTo({ center: [at.lng, at.lat] });
  }, []);

  const onCreated = (r: CreateIncidentResponse) => {
    store.onIncident(r.incident);
    setSelectedIncident(r.incident.id);
    setPanel({ kind: 'recs', incidentId: r.incident.id, initial: r.recommendations, fallback: r.incident });
    setNotice(msg('created.ok', { number: String(r.incident.number) }));
  };

  const onAssigned = (incident: Incident, rec: Recommendation) => {
    store.onIncident(incident);
    setPanel({ kind: 'intake' });
    setSelectedUnit(rec.vehicleId);
    setNotice(msg('assign.ok', { unit: rec.callSign, number: String(incident.number) }));
  };

  const selectIncident = (id: string) => {
    const i = store.incident(id);
    if (!i) return;
    setSelectedIncident(id);
    mapRef.current?.easeTo({ center: [i.location.lng, i.location.lat] });
    if (ASSIGNABLE.has(i.state)) setPanel({ kind: 'recs', incidentId: id, initial: null, fallback: i });
  };

  const recsIncident = panel.kind === 'recs' ? (incidents.find((i) => i.id === panel.incidentId) ?? panel.fallback) : null;

  return (
    <div className="app">
      <header className="topbar">
        <h1>
          <span className="brand">{t('app.title')}</span> <span className="subtitle">{t('app.subtitle')}</span>
        </h1>
        <span className={`conn ${conn.status}`} data-connection={conn.status}>
          {t(`conn.${conn.status}` satisfies MessageKey)}
        </span>
        {user ? (
          <span className="user">
            {user.displayName}
            <button type="button" className="link" onClick={onLogout}>
              {t('login.logout')}
            </button>
          </span>
        ) : null}
        <button type="button" className="lang" aria-label={t('lang.label')} lang={locale === 'vi' ? 'en' : 'vi'} onClick={() => setLocale(locale === 'vi' ? 'en' : 'vi')}>
          {t('lang.other')}
        </button>
      </header>
      <ConnectionBanner conn={conn} />
      <main className="body">
        <MapView center={config.center} styleUrl={config.mapStyleUrl} onMapClick={(at) => placeCall(at, false)} onReady={onReady}>
          <HospitalsLayer />
          <AssignmentLinesLayer store={store} incidents={incidents} />
          <UnitsLayer store={store} selectedId={selectedUnit} onSelect={setSelectedUnit} onFrame={(n, ms) => frameStats.record(n, ms)} />
          <IncidentsLayer incidents={incidents} selectedId={selectedIncident} onSelect={selectIncident} />
          <CallPinLayer location={callAt} onMove={(at) => placeCall(at, false)} />
          <UnitLegend store={store} />
        </MapView>
        <aside className="side">
          <AlertList alerts={alerts} incidentNumber={incidentNumber} callSign={callSign} onDismiss={(a) => store.dismissAlert(a)} />
          {notice ? (
            <p className="notice" role="status" onClick={() => setNotice(null)}>
              {tm(notice)}
            </p>
          ) : null}
          {panel.kind === 'recs' && recsIncident ? (
            <Recommendations incident={recsIncident} initial={panel.initial} onAssigned={onAssigned} onClose={() => setPanel({ kind: 'intake' })} />
          ) : (
            <IntakeForm location={callAt} onLocationChange={placeCall} onCreated={onCreated} />
          )}
          <IncidentList incidents={incidents} selectedId={selectedIncident} callSign={callSign} onSelect={selectIncident} />
        </aside>
      </main>
    </div>
  );
}
