import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { TopbarNav } from './topbarNav.ts';
import { useChime } from './features/useChime.ts';
import type { Map as MlMap } from 'maplibre-gl';
import type { Caller, CreateIncidentResponse, Incident, LatLng, PossibleDuplicate, Recommendation, User } from '@lifeline/protocol';
import type { ClientConfig } from './api.ts';
import { useI18n } from './i18n/I18n.tsx';
import { msg, type Msg } from './i18n/format.ts';
import { autoWhyKey, type MessageKey } from './i18n/dict.ts';
import { useAlerts, useConnection, useOpenIncidents, useTimelineTick } from './realtime/hooks.ts';
import type { LiveStore } from './realtime/store.ts';
import { MapView } from './map/MapView.tsx';
import { UnitsLayer } from './map/UnitsLayer.tsx';
import { HospitalsLayer } from './map/HospitalsLayer.tsx';
import { useHospitals } from './features/hospitals/useHospitals.ts';
import { IncidentsLayer } from './map/IncidentsLayer.tsx';
import { AssignmentLinesLayer } from './map/AssignmentLinesLayer.tsx';
import { RouteLayer } from './map/RouteLayer.tsx';
import { useUnitRoute } from './map/useUnitRoute.ts';
import { CallPinLayer } from './map/CallPinLayer.tsx';
import { installTestHooks } from './map/testHooks.ts';
import { FrameStats } from './map/frameStats.ts';
import { IntakeForm } from './features/intake/IntakeForm.tsx';
import { Recommendations, type AssignMode } from './features/incidents/Recommendations.tsx';
import { IncidentDetail } from './features/incidents/IncidentDetail.tsx';
import { IncidentList } from './features/incidents/IncidentList.tsx';
import { ReportQueue } from './features/line1022/ReportQueue.tsx';
import { AlertList } from './features/incidents/AlertList.tsx';
import { UnitLegend } from './features/units/UnitLegend.tsx';
import { UnitBoard } from './features/board/UnitBoard.tsx';
import { ConnectionBanner, ConnectionIndicator } from './features/ConnectionBanner.tsx';
import { useServerHealth } from './realtime/health.ts';

type Panel =
  | { kind: 'intake' }
  | { kind: 'recs'; incidentId: string; mode: AssignMode; initial: Recommendation[] | null; duplicates: PossibleDuplicate[]; caller: Caller | null }
  | { kind: 'detail'; incidentId: string };

/** How long a confirmation stays on screen. */
const NOTICE_MS = 10_000;

const ASSIGNABLE: ReadonlySet<Incident['state']> = new Set(['received', 'triaged']);

/** A key pressed with the focus on the map (after a click on it) or on nothing in particular. */
function onMapOrPage(target: EventTarget | null): boolean {
  return target === document.body || (target instanceof Element && target.closest('.maplibregl-map') !== null);
}

/**
 * The dispatcher screen: the live map with the unit board under it, and a side column with call
 * intake / recommendations / incident detail, and the incident queue.
 * Shortcuts: F2 (or Alt+N) a new call, Escape back to intake; digits pick a recommendation.
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
  const health = useServerHealth(conn.status === 'live');
  const topNav = useContext(TopbarNav);
  const incidents = useOpenIncidents(store);
  const alerts = useAlerts(store);
  const hospitals = useHospitals();
  // A unit that does not acknowledge needs the dispatcher now: a chime, when they turned sound on.
  const sound = useChime();
  const alertCount = useRef(alerts.length);
  useEffect(() => {
    if (alerts.length > alertCount.current) sound.ring();
    alertCount.current = alerts.length;
  }, [alerts.length, sound.ring]);
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
  const phoneRef = useRef<HTMLInputElement>(null);
  const intakeRef = useRef<HTMLFormElement>(null);
  const callAtRef = useRef(callAt);
  callAtRef.current = callAt;
  const frameStats = useRef(new FrameStats()).current;

  const callSign = useCallback((id: string) => store.unit(id)?.callSign ?? id, [store]);
  const unitStatus = useCallback((id: string) => {
    const u = store.unit(id);
    return u ? (u.online ? u.status : 'offline') : null;
  }, [store]);
  const incidentNumber = useCallback((id: string) => String(store.incident(id)?.number ?? '?'), [store]);

  const onReady = useCallback(
    (map: MlMap) => {
      mapRef.current = map;
      installTestHooks(map, store, frameStats.snapshot);
    },
    [store, frameStats],
  );

  // The form is rendered and focused before this returns: the digits typed right after F2 must
  // reach the phone field, not the page (or a recommendation list, where digits assign units).
  const newCall = useCallback(() => {
    flushSync(() => setPanel({ kind: 'intake' }));
    phoneRef.current?.focus();
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'F2' || (e.altKey && (e.key === 'n' || e.key === 'N'))) {
        e.preventDefault();
        newCall();
      } else if (e.key === 'Enter' && onMapOrPage(e.target) && intakeRef.current && callAtRef.current) {
        // The pin was just placed with the mouse: Enter creates the call, as in the form.
        e.preventDefault();
        intakeRef.current.requestSubmit();
      } else if (e.key === 'Escape' && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement)) {
        setPanel({ kind: 'intake' });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [newCall]);

  /** A new call location (map click, dragged pin, typed coordinates) brings the intake form back. */
  const placeCall = useCallback((at: LatLng | null, typed: boolean, bbox?: [number, number, number, number]) => {
    setCallAt(at);
    if (!at) return;
    setPanel((p) => (p.kind === 'intake' ? p : { kind: 'intake' }));
    // A picked street: all of it in view, but never closer than a few blocks.
    if (bbox) mapRef.current?.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], { maxZoom: 17, padding: 40 });
    else if (typed) mapRef.current?.easeTo({ center: [at.lng, at.lat] });
  }, []);
  const mapCenter = useCallback(() => {
    const c = mapRef.current?.getCenter();
    return c ? { lat: c.lat, lng: c.lng } : null;
  }, []);

  const onCreated = (r: CreateIncidentResponse) => {
    store.onIncident(r.incident);
    setSelectedIncident(r.incident.id);
    const number = String(r.incident.number);
    const auto = r.autoAssign;
    // Assigned by the server's policy: the detail (with the unit, the timeline, change unit / cancel).
    if (auto?.assigned && auto.vehicleId) {
      setPanel({ kind: 'detail', incidentId: r.incident.id });
      setSelectedUnit(auto.vehicleId);
      setNotice(msg('auto.assigned', { unit: auto.callSign ?? auto.vehicleId, number }));
      return;
    }
    setPanel({ kind: 'recs', incidentId: r.incident.id, mode: 'assign', initial: r.recommendations, duplicates: r.possibleDuplicates, caller: r.caller });
    const why = auto?.skip ? autoWhyKey(auto.skip) : null;
    setNotice(why ? msg('auto.skipped', { number, why: msg(why) }) : msg('created.ok', { number }));
  };

  const onAssigned = (incident: Incident, rec: Recommendation) => {
    store.onIncident(incident);
    setPanel({ kind: 'detail', incidentId: incident.id });
    setSelectedUnit(rec.vehicleId);
    setNotice(msg('assign.ok', { unit: rec.callSign, number: String(incident.number) }));
  };

  const onMerged = (incident: Incident, into: PossibleDuplicate) => {
    store.onIncident(incident);
    setSelectedIncident(into.incidentId);
    setPanel({ kind: 'detail', incidentId: into.incidentId });
    setNotice(msg('dup.merged', { number: String(incident.number), into: String(into.number) }));
  };

  const openRecs = (id: string, mode: AssignMode) =>
    setPanel({ kind: 'recs', incidentId: id, mode, initial: null, duplicates: [], caller: null });

  const selectIncident = (id: string) => {
    const i = store.incident(id);
    if (!i) return;
    setSelectedIncident(id);
    mapRef.current?.easeTo({ center: [i.location.lng, i.location.lat] });
    if (ASSIGNABLE.has(i.state)) openRecs(id, 'assign');
    else setPanel({ kind: 'detail', incidentId: id });
  };

  const selectUnit = (id: string) => {
    setSelectedUnit(id);
    const p = store.unit(id)?.position;
    if (p) mapRef.current?.easeTo({ center: [p.lng, p.lat] });
  };

  // `incidents` changes whenever any incident does: the panel's incident is re-read with it.
  const queueTargets = useMemo(() => ({ callToAssignSec: config.targets.callToAssign ?? null, responseSec: config.targets.response ?? null }), [config.targets]);
  const panelIncident = panel.kind === 'intake' ? null : (store.incident(panel.incidentId) ?? null);
  const timelineTick = useTimelineTick(store, panel.kind === 'detail' ? panel.incidentId : null);
  const selected = selectedIncident ? (store.incident(selectedIncident) ?? null) : null;
  const route = useUnitRoute(selected);
  void incidents;

  return (
    <div className="app">
      <header className="topbar">
        <h1>
          <span className="brand">{t('app.title')}</span> <span className="subtitle">{t('app.subtitle')}</span>
        </h1>
        {topNav}
        <button type="button" className="newcall" onClick={newCall} title={t('shortcut.newCall')}>
          {t('intake.new')} <kbd>F2</kbd>
        </button>
        <ConnectionIndicator status={conn.status} health={health} />
        {user ? (
          <span className="user">
            {user.displayName}
            <button type="button" className="link" onClick={onLogout}>
              {t('login.logout')}
            </button>
          </span>
        ) : null}
        <button type="button" className={`sound${sound.soundOn ? ' on' : ''}`} name="sound" aria-pressed={sound.soundOn} data-chimes={sound.count} title={t('sound.title')} onClick={sound.toggle}>
          {t(sound.soundOn ? 'sound.on' : 'sound.off')}
        </button>
        <button type="button" className="lang" aria-label={t('lang.label')} lang={locale === 'vi' ? 'en' : 'vi'} onClick={() => setLocale(locale === 'vi' ? 'en' : 'vi')}>
          {t('lang.other')}
        </button>
      </header>
      <ConnectionBanner conn={conn} />
      <main className="body">
        <div className="map-col">
          <MapView center={config.center} styleUrl={config.mapStyleUrl} basemap={config.basemap} attribution={config.attribution} onMapClick={(at) => placeCall(at, false)} onReady={onReady}>
            <HospitalsLayer hospitals={hospitals} />
            <AssignmentLinesLayer store={store} incidents={incidents} />
            <RouteLayer incidentId={selected?.id ?? null} route={route} />
            <UnitsLayer store={store} selectedId={selectedUnit} staleSec={config.unitThresholds.staleSec} onSelect={setSelectedUnit} onFrame={(n, ms) => frameStats.record(n, ms)} />
            <IncidentsLayer incidents={incidents} selectedId={selectedIncident} onSelect={selectIncident} />
            <CallPinLayer location={callAt} onMove={(at) => placeCall(at, false)} />
            <UnitLegend store={store} />
          </MapView>
          <UnitBoard store={store} thresholds={config.unitThresholds} incidentNumber={incidentNumber} selectedId={selectedUnit} onSelect={selectUnit} />
        </div>
        <aside className="side">
          <AlertList alerts={alerts} incidentNumber={incidentNumber} callSign={callSign} onDismiss={(a) => store.dismissAlert(a)}
            onReassign={(a) => {
              store.dismissAlert(a);
              setSelectedIncident(a.incidentId);
              openRecs(a.incidentId, 'reassign');
            }}
            onAssign={(a) => {
              store.dismissAlert(a);
              setSelectedIncident(a.incidentId);
              openRecs(a.incidentId, 'assign');
            }}
          />
          {notice ? (
            <p className="notice" role="status" onClick={() => setNotice(null)}>
              {tm(notice)}
            </p>
          ) : null}
          {panel.kind === 'recs' && panelIncident ? (
            <Recommendations
              incident={panelIncident}
              initial={panel.initial}
              mode={panel.mode}
              duplicates={panel.duplicates}
              caller={panel.caller}
              unitStatus={unitStatus}
              callSign={callSign}
              onAssigned={onAssigned}
              onMerged={onMerged}
              onDetails={() => setPanel({ kind: 'detail', incidentId: panel.incidentId })}
              onClose={() => setPanel({ kind: 'intake' })}
            />
          ) : panel.kind === 'detail' && panelIncident ? (
            <IncidentDetail
              incident={panelIncident}
              route={selected?.id === panelIncident.id ? route : null}
              timelineTick={timelineTick}
              callSign={callSign}
              hospitals={hospitals}
              onAssign={() => openRecs(panelIncident.id, 'assign')}
              onReassign={() => openRecs(panelIncident.id, 'reassign')}
              onChanged={(i, n) => {
                store.onIncident(i);
                setNotice(n);
              }}
              onClose={() => setPanel({ kind: 'intake' })}
            />
          ) : (
            <IntakeForm
              location={callAt}
              onLocationChange={placeCall}
              onCreated={onCreated}
              phoneRef={phoneRef}
              formRef={intakeRef}
              autoAssign={config.autoAssign}
              mapCenter={mapCenter}
              streetSearch={config.basemap.roads !== null}
            />
          )}
          <IncidentList
            incidents={incidents}
            selectedId={selectedIncident}
            targets={queueTargets}
            callSign={callSign}
            onSelect={selectIncident}
          />
          <ReportQueue />
        </aside>
      </main>
    </div>
  );
}
