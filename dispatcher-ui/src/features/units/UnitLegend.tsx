import { useEffect, useState } from 'react';
import { UNIT_STATUSES, type UnitStatus } from '@lifeline/protocol';
import type { LiveStore } from '../../realtime/store.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { statusKey } from '../../i18n/dict.ts';
import { STATUS_COLORS } from '../../map/unitFeatures.ts';

type Counts = Record<UnitStatus, number> & { total: number };

function countUnits(store: LiveStore): Counts {
  const c = Object.fromEntries(UNIT_STATUSES.map((s) => [s, 0])) as Counts;
  c.total = 0;
  for (const u of store.units()) {
    c[u.online ? u.status : 'offline']++;
    c.total++;
  }
  return c;
}

/** Colour key of the unit markers with live counts, recounted at most once a second. */
export function UnitLegend({ store }: { store: LiveStore }) {
  const { t, count } = useI18n();
  const [counts, setCounts] = useState(() => countUnits(store));
  useEffect(() => {
    let dirty = true;
    const unsubscribe = store.subscribeUnits(() => {
      dirty = true;
    });
    const timer = setInterval(() => {
      if (!dirty) return;
      dirty = false;
      setCounts(countUnits(store));
    }, 1000);
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  }, [store]);

  return (
    <aside className="legend" aria-label={t('legend.title')}>
      <h3>
        {t('legend.title')} <span className="count">{count(counts.total)}</span>
      </h3>
      <ul>
        {UNIT_STATUSES.map((s) => (
          <li key={s} data-status={s}>
            <span className={`dot${s === 'offline' ? ' hollow' : ''}`} style={{ background: s === 'offline' ? 'transparent' : STATUS_COLORS[s] }} />
            <span className="name">{t(statusKey(s))}</span>
            <span className="n">{count(counts[s])}</span>
          </li>
        ))}
        <li>
          <span className="dot stale" style={{ background: STATUS_COLORS.available }} />
          <span className="name">{t('legend.stale')}</span>
        </li>
        <li>
          <span className="hospital-icon small">H</span>
          <span className="name">{t('legend.hospital')}</span>
        </li>
      </ul>
    </aside>
  );
}
