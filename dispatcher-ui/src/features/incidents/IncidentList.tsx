import type { Incident } from '@lifeline/protocol';
import { useI18n } from '../../i18n/I18n.tsx';
import { categoryKey, stateKey } from '../../i18n/dict.ts';
import { useNow } from '../useNow.ts';
import { queueRows, type QueueTargets } from './queue.ts';

export interface IncidentListProps {
  incidents: Incident[];
  selectedId: string | null;
  /** Call → assignment and call → on-scene targets (ClientConfig.targets). */
  targets: QueueTargets;
  callSign(vehicleId: string): string;
  onSelect(id: string): void;
}

/**
 * The queue: open incidents by priority, then the longest waiting, each with a live timer since
 * the call, coloured when it nears or misses its running target: call → assignment while it
 * waits for a unit, call → on scene while the unit is on its way.
 * Re-renders once a second for the timers.
 */
export function IncidentList({ incidents, selectedId, targets, callSign, onSelect }: IncidentListProps) {
  const { t, eta, time } = useI18n();
  const now = useNow();
  const rows = queueRows(incidents, now, targets);
  const missed = rows.filter((r) => r.level === 'missed' && r.target === 'callToAssign').length;
  const late = rows.filter((r) => r.level === 'missed' && r.target === 'response').length;
  return (
    <section className="panel incidents" aria-labelledby="incidents-title">
      <h2 id="incidents-title">
        {t('incidents.title')} <span className="count">{incidents.length}</span>
        {missed ? <span className="missed-count">{t('queue.missed', { n: missed })}</span> : null}
        {late ? <span className="missed-count late">{t('queue.late', { n: late })}</span> : null}
      </h2>
      {rows.length === 0 ? (
        <p className="hint">{t('incidents.empty')}</p>
      ) : (
        <ul>
          {rows.map(({ incident: i, waitingSec, target, level }) => (
            <li key={i.id}>
              <button
                type="button"
                className={`incident lvl-${level}${i.id === selectedId ? ' selected' : ''}`}
                data-incident-id={i.id}
                data-state={i.state}
                data-level={level}
                data-target={target ?? undefined}
                onClick={() => onSelect(i.id)}
              >
                <span className={`prio p${i.priority}`}>P{i.priority}</span>
                <span className="num">#{i.number}</span>
                <span className="cat">{t(categoryKey(i.category))}</span>
                <span className={`state s-${i.state}`}>{t(stateKey(i.state))}</span>
                <span className="unit">
                  {i.vehicleId ? callSign(i.vehicleId) : t('incidents.noUnit')} · {i.line} · {time(i.createdAt)}
                </span>
                <span className="timer" title={t(target === 'response' ? 'queue.responding' : 'queue.waiting')}>
                  {eta(waitingSec)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
