import { useEffect, useRef, useState } from 'react';
import { usePageText, isPageKey, type PageI18n } from '../text.ts';
import type { ReplayClock } from './ReplayClock.ts';
import { eventCursor, type ReplayEvent } from './replayMath.ts';

/** What an event says beyond its type, in a line. */
export function eventDetail(e: ReplayEvent, x: PageI18n): string {
  const d = e.data;
  const parts: string[] = [];
  if (e.type === 'RecommendationsShown' && Array.isArray(d['units'])) {
    const units = d['units'] as { vehicleId?: string; etaSec?: number }[];
    parts.push(x.p('replay.shown', { n: units.length, list: units.map((u) => `${u.vehicleId ?? '?'}${typeof u.etaSec === 'number' ? ` ${x.duration(u.etaSec)}` : ''}`).join(', ') }));
  } else if (typeof d['vehicleId'] === 'string') parts.push(d['vehicleId']);
  if (typeof d['reason'] === 'string' && d['reason']) parts.push(x.p('replay.audit.reason', { reason: d['reason'] }));
  if (typeof d['hospitalId'] === 'string' && e.type === 'UnitAssigned') parts.push(`→ ${d['hospitalId']}`);
  return parts.join(' · ');
}

/**
 * The timeline in sync with the clock: events up to the current time are "past", the last of
 * them "current" (scrolled into view). React renders only when the current event changes.
 * Clicking an event seeks to it.
 */
export function EventList({ events, clock, showIncident }: { events: ReplayEvent[]; clock: ReplayClock; showIncident: boolean }) {
  const x = usePageText();
  const [cursor, setCursor] = useState(-1);
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const times = events.map((e) => e.tsMs);
    return clock.onTime((t) => setCursor(eventCursor(times, t)));
  }, [events, clock]);
  useEffect(() => {
    list.current?.querySelector('.current')?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);

  if (events.length === 0) return <p className="muted">{x.p('replay.noEvents')}</p>;
  return (
    <ol className="events" ref={list} data-cursor={cursor}>
      {events.map((e, i) => (
        <li key={i}>
          <button
            type="button"
            className={`event${i === cursor ? ' current' : ''}${i <= cursor ? ' past' : ''}`}
            aria-current={i === cursor ? 'step' : undefined}
            data-type={e.type}
            data-ts={e.tsMs}
            onClick={() => clock.seek(e.tsMs)}
          >
            <span className="ev-time">{x.time(e.tsMs)}</span>
            <span className="ev-type">
              {showIncident ? <span className="ev-inc">#{e.incidentNumber} </span> : null}
              {isPageKey(`event.${e.type}`) ? x.p(`event.${e.type}` as never) : e.type}
            </span>
            <span className="ev-detail">{eventDetail(e, x)}</span>
            <span className="ev-actor">{e.actor}</span>
          </button>
        </li>
      ))}
    </ol>
  );
}
