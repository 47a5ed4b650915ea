import { useState } from 'react';
import { useLineText } from '../../i18n/line1022.ts';
import { useNow } from '../useNow.ts';
import { api1022 } from './api1022.ts';
import { useOpenReports } from './useOpenReports.ts';
import './line1022.css';

/**
 * The centre's queue of open 1022 reports: where each one is (the routed agency, or the centre),
 * its deadline ticking like the 115 timers, and the dispatcher's override (forward with a reason).
 */
export function ReportQueue() {
  const { l, span, locale } = useLineText();
  const now = useNow(1000);
  const { reports: loaded, config, reload: load } = useOpenReports();
  const reports = loaded ?? [];
  const [open, setOpen] = useState<string | null>(null);
  const [target, setTarget] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);


  const forward = async (id: string) => {
    const r = await api1022.forward(id, target, reason.trim());
    if (!r.ok) return setError(r.message);
    setError(null);
    setOpen(null);
    setReason('');
    void load();
  };

  const catName = (id: string | null) => {
    const c = config?.categories.find((x) => x.id === id);
    return c ? (locale === 'vi' ? c.nameVi : c.nameEn) : null;
  };
  return (
    <section className="panel report-queue" aria-label={l('queue.title')}>
      <h2>{l('queue.title')}</h2>
      {reports.length === 0 ? <p className="muted">{l('queue.empty')}</p> : null}
      <ul>
        {reports.map((r) => {
          const left = r.dueAt ? Date.parse(r.dueAt) - now : null;
          return (
            <li key={r.id} data-testid="queue-report" data-report={r.id}>
              <button type="button" className="link" onClick={() => setOpen(open === r.id ? null : r.id)}>
                #{r.number}
              </button>
              <span>{catName(r.categoryId) ?? l(`type.${r.type}`)}</span>
              <span className="agency" data-testid="queue-agency">
                {r.agencyName ?? (r.unrouted ? l('queue.unrouted') : l('queue.centre'))}
              </span>
              {left !== null ? (
                <span className={`deadline${left < 0 ? ' overdue' : ''}`} data-testid="queue-deadline">
                  {left < 0 ? l('agency.overdue', { duration: span(left) }) : l('agency.left', { duration: span(left) })}
                </span>
              ) : null}
              {r.callerFlagged ? <span className="flag">⚑</span> : null}
              {open === r.id ? (
                <div className="forward">
                  <select name="forwardTo" value={target} onChange={(e) => setTarget(e.target.value)}>
                    <option value="">—</option>
                    {config?.agencies.map((a) => (
                      <option key={a.id} value={a.id}>
                        {a.name}
                      </option>
                    ))}
                  </select>
                  <input name="forwardReason" placeholder={l('agency.reason')} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
                  <button type="button" disabled={!target || reason.trim().length < 3} onClick={() => void forward(r.id)}>
                    {l('queue.forward')}
                  </button>
                </div>
              ) : null}
            </li>
          );
        })}
      </ul>
      {error ? <p className="error">{error}</p> : null}
    </section>
  );
}
