import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { Map as MlMap } from 'maplibre-gl';
import type { Incident } from '@lifeline/protocol';
import type { ClientConfig } from '../../api.ts';
import { categoryKey, stateKey } from '../../i18n/dict.ts';
import { MapView } from '../../map/MapView.tsx';
import { HospitalsLayer } from '../../map/HospitalsLayer.tsx';
import { useHospitals } from '../../features/hospitals/useHospitals.ts';
import { q, request } from '../../api.ts';
import { usePageText } from '../text.ts';
import type { AreaReplay, IncidentReplay } from '../types.ts';
import { toLocalInput } from '../time.ts';
import { AuditPanel } from './AuditPanel.tsx';
import { EventList } from './EventList.tsx';
import { fromAreaReplay, fromIncidentReplay, modelBounds, type ReplayModel } from './model.ts';
import { ReplayClock } from './ReplayClock.ts';
import { ReplayIncidentsLayer, ReplayTracksLayer, ReplayUnitsLayer } from './ReplayLayers.tsx';
import { Scrubber } from './Scrubber.tsx';
import { installReplayTestHooks } from './testHooks.ts';

type Mode = 'incident' | 'area';

/**
 * Supervisor replay: an incident (closed ones too) or any window ≤ 24 h over the map area, played
 * back on one map with every unit's track, its interpolated position at the scrubbed time, the
 * incident pins, the timeline in sync, and the recommendation audit.
 */
export function ReplayPage({ config }: { config: ClientConfig }) {
  const x = usePageText();
  const { p, t } = x;
  const hospitals = useHospitals();
  const clock = useMemo(() => new ReplayClock(), []);
  useEffect(() => () => clock.dispose(), [clock]);
  const mapRef = useRef<MlMap | null>(null);
  const [mode, setMode] = useState<Mode>('incident');
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [incidentId, setIncidentId] = useState('');
  const [from, setFrom] = useState(() => toLocalInput(Date.now() - 3600_000));
  const [to, setTo] = useState(() => toLocalInput(Date.now()));
  const [model, setModel] = useState<ReplayModel | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const loadIncidents = useCallback(() => {
    void request<Incident[]>('GET', '/api/incidents').then((r) => {
      if (r.ok) setIncidents([...r.value].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)));
      else setError(r.message);
    });
  }, []);
  useEffect(loadIncidents, [loadIncidents]);

  const show = useCallback(
    (m: ReplayModel) => {
      setModel(m);
      clock.setWindow(m.fromMs, m.toMs, m.startMs);
      const b = modelBounds(m);
      if (b && mapRef.current) mapRef.current.fitBounds(b, { padding: 60, maxZoom: 16, duration: 0 });
    },
    [clock],
  );

  const load = async (e?: FormEvent) => {
    e?.preventDefault();
    setError(null);
    if (mode === 'incident') {
      if (!incidentId) return;
      setLoading(true);
      const r = await request<IncidentReplay>('GET', `/api/incidents/${encodeURIComponent(incidentId)}/replay`);
      setLoading(false);
      return r.ok ? show(fromIncidentReplay(r.value)) : setError(r.message);
    }
    const fromMs = Date.parse(from);
    const toMs = Date.parse(to);
    if (!(toMs > fromMs) || toMs - fromMs > 24 * 3600_000) return setError(p('replay.err.window'));
    const b = mapRef.current?.getBounds();
    if (!b) return;
    setLoading(true);
    const query = q({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString(), south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast() });
    const r = await request<AreaReplay>('GET', `/api/replay?${query}`);
    setLoading(false);
    return r.ok ? show(fromAreaReplay(r.value)) : setError(r.message);
  };

  const onReady = useCallback(
    (map: MlMap) => {
      mapRef.current = map;
      installReplayTestHooks(map, clock);
    },
    [clock],
  );

  const ticks = useMemo(() => (model?.events ?? []).map((e) => ({ at: e.tsMs, type: e.type })), [model]);

  return (
    <div className="replay-page">
      <div className="replay-main">
        <form className="replay-picker" onSubmit={load}>
          <div className="seg" role="radiogroup" aria-label={p('replay.title')}>
            {(['incident', 'area'] as const).map((m) => (
              <label key={m} className={`chip${mode === m ? ' on' : ''}`}>
                <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} />
                {p(m === 'incident' ? 'replay.modeIncident' : 'replay.modeArea')}
              </label>
            ))}
          </div>
          {mode === 'incident' ? (
            <label className="grow">
              <span className="sr-only">{p('replay.incident')}</span>
              <select name="incident" value={incidentId} onChange={(e) => setIncidentId(e.target.value)} onFocus={loadIncidents}>
                <option value="">{incidents ? p('replay.choose') : p('common.loading')}</option>
                {incidents?.map((i) => (
                  <option key={i.id} value={i.id}>
                    #{i.number} · {t(categoryKey(i.category))} · P{i.priority} · {t(stateKey(i.state))} · {x.dateTime(i.createdAt)}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <>
              <label>
                {p('replay.from')} <input type="datetime-local" name="from" value={from} onChange={(e) => setFrom(e.target.value)} />
              </label>
              <label>
                {p('replay.to')} <input type="datetime-local" name="to" value={to} onChange={(e) => setTo(e.target.value)} />
              </label>
              <span className="muted small">{p('replay.areaHint')}</span>
            </>
          )}
          <button type="submit" className="primary" name="load" disabled={loading || (mode === 'incident' && !incidentId)}>
            {loading ? p('replay.loading') : p('replay.load')}
          </button>
        </form>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="replay-map">
          <MapView center={config.center} styleUrl={config.mapStyleUrl} basemap={config.basemap} onMapClick={() => undefined} onReady={onReady}>
            <HospitalsLayer hospitals={hospitals} />
            <ReplayTracksLayer model={model} />
            <ReplayUnitsLayer model={model} clock={clock} />
            <ReplayIncidentsLayer model={model} />
          </MapView>
          {!model ? <div className="replay-empty">{p('replay.empty')}</div> : null}
        </div>
        {model ? <Scrubber clock={clock} ticks={ticks} /> : null}
      </div>
      <aside className="replay-side" data-loaded={model ? 'true' : 'false'}>
        {model ? (
          <>
            {model.incidents.length === 1 ? <IncidentSummary incident={model.incidents[0]!} /> : <h3>{p('replay.incidentCount', { n: model.incidents.length })}</h3>}
            <section aria-labelledby="units-title">
              <h3 id="units-title">
                {p('replay.units')} <span className="count">{model.tracks.length}</span>
              </h3>
              <ul className="replay-units">
                {model.tracks.map((tr) => (
                  <li key={tr.id} data-unit-id={tr.id}>
                    <span className="swatch" style={{ background: model.color[tr.id] }} /> <strong>{tr.id}</strong>{' '}
                    <span className="muted">{tr.timesMs.length ? p('replay.points', { n: tr.timesMs.length }) : p('replay.noTrack')}</span>
                  </li>
                ))}
              </ul>
            </section>
            <AuditPanel incidents={model.incidents} eventsByIncident={model.eventsByIncident} />
            <section aria-labelledby="events-title" className="events-section">
              <h3 id="events-title">
                {p('replay.events')} <span className="count">{model.events.length}</span>
              </h3>
              <EventList events={model.events} clock={clock} showIncident={model.incidents.length > 1} />
            </section>
          </>
        ) : null}
      </aside>
    </div>
  );
}

function IncidentSummary({ incident: i }: { incident: Incident }) {
  const { t, dateTime } = usePageText();
  return (
    <div className="replay-incident" data-incident-id={i.id}>
      <h3>
        #{i.number} <span className={`prio p${i.priority}`}>P{i.priority}</span> {t(categoryKey(i.category))}
      </h3>
      <div className="muted">
        {i.line} · {t(stateKey(i.state))} · {dateTime(i.createdAt)}
        {i.address ? ` · ${i.address}` : ''}
      </div>
    </div>
  );
}
