import type { Incident } from '@lifeline/protocol';
import { useI18n } from '../../i18n/I18n.tsx';
import { categoryKey, stateKey } from '../../i18n/dict.ts';

export interface IncidentListProps {
  incidents: Incident[];
  selectedId: string | null;
  callSign(vehicleId: string): string;
  onSelect(id: string): void;
}

/** Open incidents, most urgent first, then the longest waiting, with their state and unit. */
export function IncidentList({ incidents, selectedId, callSign, onSelect }: IncidentListProps) {
  const { t, time } = useI18n();
  return (
    <section className="panel incidents" aria-labelledby="incidents-title">
      <h2 id="incidents-title">
        {t('incidents.title')} <span className="count">{incidents.length}</span>
      </h2>
      {incidents.length === 0 ? (
        <p className="hint">{t('incidents.empty')}</p>
      ) : (
        <ul>
          {incidents.map((i) => (
            <li key={i.id}>
              <button
                type="button"
                className={`incident${i.id === selectedId ? ' selected' : ''}`}
                data-incident-id={i.id}
                data-state={i.state}
                onClick={() => onSelect(i.id)}
              >
                <span className={`prio p${i.priority}`}>P{i.priority}</span>
                <span className="num">#{i.number}</span>
                <span className="cat">{t(categoryKey(i.category))}</span>
                <span className={`state s-${i.state}`}>{t(stateKey(i.state))}</span>
                <span className="unit">{i.vehicleId ? callSign(i.vehicleId) : t('incidents.noUnit')}</span>
                <span className="time">
                  {i.line} · {time(i.createdAt)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
