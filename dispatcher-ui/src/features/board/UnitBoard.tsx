import { useEffect, useState } from 'react';
import { UNIT_STATUSES } from '@lifeline/protocol';
import type { LiveStore } from '../../realtime/store.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { statusKey, type MessageKey } from '../../i18n/dict.ts';
import { STATUS_COLORS } from '../../map/unitFeatures.ts';
import { buildBoard, type Board, type StatusFilter, type UnitThresholds } from './unitRules.ts';
import { serverNow } from '../serverClock.ts';

/** Rows drawn at most; a fleet of thousands is filtered, not scrolled through. */
export const MAX_ROWS = 200;
const FILTERS: StatusFilter[] = ['all', 'attention', ...UNIT_STATUSES];

export interface UnitBoardProps {
  store: LiveStore;
  thresholds: UnitThresholds;
  incidentNumber(id: string): string;
  selectedId: string | null;
  onSelect(vehicleId: string): void;
}

/**
 * Every unit with its status, time in status and current incident; filter by status. Units
 * dispatched but not en route for too long, stale ones and those with a refused fix are
 * highlighted and listed first. Rebuilt once a second at most (the timers need that anyway),
 * never per socket message.
 */
export function UnitBoard({ store, thresholds, incidentNumber, selectedId, onSelect }: UnitBoardProps) {
  const { t, eta, count } = useI18n();
  const [filter, setFilter] = useState<StatusFilter>('all');
  const [board, setBoard] = useState<Board>(() => buildBoard(store.units(), serverNow(), thresholds, filter));

  useEffect(() => {
    const rebuild = () => setBoard(buildBoard(store.units(), serverNow(), thresholds, filter));
    rebuild();
    const timer = setInterval(rebuild, 1000);
    // A snapshot (first connection, reconnection) replaces the fleet: show it at once, not on the next tick.
    const off = store.subscribeUnits((change) => {
      if (change === 'reset') rebuild();
    });
    return () => {
      clearInterval(timer);
      off();
    };
  }, [store, thresholds, filter]);

  const label = (f: StatusFilter): string => (f === 'all' ? t('board.all') : f === 'attention' ? t('board.attention') : t(statusKey(f)));
  const shown = board.rows.slice(0, MAX_ROWS);
  return (
    <section className="board" aria-labelledby="board-title">
      <header className="row">
        <h2 id="board-title">{t('board.title')}</h2>
        <div className="filters" role="radiogroup" aria-label={t('board.filter')}>
          {FILTERS.map((f) => (
            <button
              key={f}
              type="button"
              role="radio"
              aria-checked={filter === f}
              className={`chip-btn${filter === f ? ' on' : ''}${f === 'attention' && board.counts.attention ? ' warn' : ''}`}
              data-filter={f}
              onClick={() => setFilter(f)}
            >
              {f !== 'all' && f !== 'attention' ? <span className="dot" style={{ background: STATUS_COLORS[f] }} /> : null}
              {label(f)} <span className="n">{count(board.counts[f] ?? 0)}</span>
            </button>
          ))}
        </div>
      </header>
      <div className="board-scroll">
        <table>
          <thead>
            <tr>
              <th>{t('board.unit')}</th>
              <th>{t('board.status')}</th>
              <th>{t('board.inStatus')}</th>
              <th>{t('board.incident')}</th>
              <th>{t('board.flags')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => {
              const v = r.vehicle;
              const cls = [r.stuck ? 'stuck' : '', r.stale ? 'stale' : '', r.fixIssue ? 'fix' : '', v.id === selectedId ? 'selected' : ''].filter(Boolean).join(' ');
              return (
                <tr key={v.id} className={cls} data-unit-id={v.id} data-status={r.status} data-stuck={r.stuck} data-stale={r.stale} onClick={() => onSelect(v.id)}>
                  <td className="cs">{v.callSign}</td>
                  <td>
                    <span className="dot" style={{ background: STATUS_COLORS[r.status] }} /> {t(statusKey(r.status))}
                  </td>
                  <td className="num">{r.inStatusSec === null ? '—' : eta(r.inStatusSec)}</td>
                  <td>{v.incidentId ? `#${incidentNumber(v.incidentId)}` : ''}</td>
                  <td className="flags">
                    {r.stuck ? <span className="tag stuck">{t('board.stuck')}</span> : null}
                    {r.stale ? <span className="tag stale">{t('board.stale')}</span> : null}
                    {r.fixIssue ? <span className="tag fix">{t(`fix.${r.fixIssue}` satisfies MessageKey)}</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {board.rows.length > MAX_ROWS ? <p className="hint">{t('board.more', { n: board.rows.length - MAX_ROWS })}</p> : null}
        {board.rows.length === 0 ? <p className="hint">{t('board.empty')}</p> : null}
      </div>
    </section>
  );
}
