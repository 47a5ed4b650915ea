import { useState } from 'react';
import type { Report, User } from '@lifeline/protocol';
import type { ApiResult } from '../../api.ts';
import { useLineText } from '../../i18n/line1022.ts';
import { PageBar } from '../../pages/PageBar.tsx';
import { useNow } from '../useNow.ts';
import { api1022, type Line1022Config } from './api1022.ts';
import { useOpenReports } from './useOpenReports.ts';
import './line1022.css';

/**
 * An agency's portal: the 1022 reports forwarded to it (never another agency's), with the deadline
 * ticking; accept, answer the citizen, attach photos of the fix, close, pass on or send back.
 */
export function AgencyPage({ user, onLogout }: { user: User; onLogout(): void }) {
  const { l } = useLineText();
  const { reports, config, error, reload: load } = useOpenReports();

  return (
    <div className="role-page agency-page">
      <PageBar title={l('agency.title')} user={user} onLogout={onLogout} />
      <main className="agency-list">
        {error ? <p className="error">{error}</p> : null}
        {reports && reports.length === 0 ? <p className="muted">{l('agency.empty')}</p> : null}
        {reports?.map((r) => (
          <AgencyReport key={r.id} report={r} config={config} ownAgency={user.agencyId ?? null} onChanged={() => void load()} />
        ))}
      </main>
    </div>
  );
}

function Deadline({ dueAt }: { dueAt: string | null }) {
  const { l, span, time } = useLineText();
  const now = useNow(1000);
  if (!dueAt) return null;
  const left = Date.parse(dueAt) - now;
  return (
    <span className={`deadline${left < 0 ? ' overdue' : ''}`} data-testid="deadline" title={l('agency.due', { time: time(dueAt) })}>
      {left < 0 ? l('agency.overdue', { duration: span(left) }) : l('agency.left', { duration: span(left) })}
    </span>
  );
}

function AgencyReport({ report: r, config, ownAgency, onChanged }: { report: Report; config: Line1022Config | null; ownAgency: string | null; onChanged(): void }) {
  const { l, locale } = useLineText();
  const [text, setText] = useState(r.answer ?? '');
  const [reason, setReason] = useState('');
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const category = config?.categories.find((c) => c.id === r.categoryId);

  const act = async (fn: () => Promise<ApiResult<Report>>) => {
    setBusy(true);
    const res = await fn();
    setBusy(false);
    if (!res.ok) return setError(res.message);
    setError(null);
    onChanged();
  };

  return (
    <article className="agency-report" data-testid="agency-report" data-report={r.id} data-state={r.state}>
      <header>
        <strong>#{r.number}</strong> {category ? (locale === 'vi' ? category.nameVi : category.nameEn) : l(`type.${r.type}`)} · {l(`state.${r.state}`)} <Deadline dueAt={r.dueAt} />
        {r.callerFlagged ? <span className="flag">{l('agency.flagged')}</span> : null}
      </header>
      <p className="desc">{r.description}</p>
      {r.address || r.location ? (
        <p className="muted">
          {r.address ?? ''} {r.location ? `(${r.location.lat.toFixed(5)}, ${r.location.lng.toFixed(5)})` : ''}
        </p>
      ) : null}
      {r.media.length ? (
        <div className="photos">
          {r.media.map((m) => (
            <a key={m.id} href={api1022.photoUrl(r.id, m.id)} target="_blank" rel="noreferrer">
              <img src={api1022.photoUrl(r.id, m.id)} alt={m.kind} data-kind={m.kind} />
            </a>
          ))}
        </div>
      ) : null}
      {r.state === 'forwarded' ? (
        <button type="button" className="primary" disabled={busy} onClick={() => void act(() => api1022.agency.accept(r.id))}>
          {l('agency.accept')}
        </button>
      ) : null}
      {r.state === 'accepted' ? (
        <div className="answer">
          <label>
            {l('agency.answer')}
            <textarea name="answer" rows={3} maxLength={4000} value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <button type="button" disabled={busy || !text.trim()} onClick={() => void act(() => api1022.agency.answer(r.id, text.trim()))}>
            {l('agency.send')}
          </button>
          <label className="attach">
            {l('agency.attach')}
            <input type="file" name="fix" accept="image/jpeg,image/png" multiple disabled={busy} onChange={(e) => {
              const files = [...(e.target.files ?? [])].slice(0, 4);
              if (files.length) void act(() => api1022.agency.attach(r.id, files));
              e.target.value = '';
            }} />
          </label>
          <button type="button" className="primary" disabled={busy || !r.answer} onClick={() => void act(() => api1022.agency.close(r.id))}>
            {l('agency.close')}
          </button>
        </div>
      ) : null}
      <details className="handover">
        <summary>
          {l('agency.passOn')} / {l('agency.sendBack')}
        </summary>
        <label>
          {l('agency.reason')}
          <input name="reason" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <select name="target" value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">—</option>
          {config?.agencies
            .filter((a) => a.id !== ownAgency)
            .map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
        </select>
        <button type="button" disabled={busy || !target || reason.trim().length < 3} onClick={() => void act(() => api1022.agency.passOn(r.id, target, reason.trim()))}>
          {l('agency.passOn')}
        </button>
        <button type="button" disabled={busy || reason.trim().length < 3} onClick={() => void act(() => api1022.agency.sendBack(r.id, reason.trim()))}>
          {l('agency.sendBack')}
        </button>
      </details>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </article>
  );
}
