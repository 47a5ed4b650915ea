import { useEffect, useState } from 'react';
import type { Caller } from '@lifeline/protocol';
import { api } from '../../api.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { categoryKey, stateKey } from '../../i18n/dict.ts';
import { msg, type Msg } from '../../i18n/format.ts';
import { isValidPhone } from './location.ts';

/** Wait this long after the last keystroke before asking the server about the number. */
export const CALLER_LOOKUP_DEBOUNCE_MS = 350;
/** Fewer digits than this is still being typed: no lookup. */
const MIN_DIGITS = 6;

/** The caller's history as soon as a number is typed (debounced). */
export function useCallerLookup(phone: string): [Caller | null, (c: Caller) => void] {
  const [caller, setCaller] = useState<Caller | null>(null);
  useEffect(() => {
    const digits = phone.replace(/\D/g, '');
    if (!isValidPhone(phone) || digits.length < MIN_DIGITS) {
      setCaller(null);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      void api.caller(phone).then((r) => {
        if (!cancelled) setCaller(r.ok ? r.value : null);
      });
    }, CALLER_LOOKUP_DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [phone]);
  return [caller, setCaller];
}

/**
 * What the centre knows of a number: how often it called, its last incidents, and the
 * harassing-caller flag, which a dispatcher sets or clears here. A flagged caller's call is
 * still taken; the flag only warns.
 */
export function CallerInfo({ caller, onChange }: { caller: Caller; onChange(c: Caller): void }) {
  const { t, tm, time, count } = useI18n();
  const [flagging, setFlagging] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Msg | null>(null);

  const setFlag = async (flagged: boolean) => {
    setError(null);
    const r = await api.flagCaller(caller.phone, flagged, flagged ? reason.trim() || undefined : undefined);
    if (!r.ok) return setError(r.code === 'NETWORK' ? msg('error.network') : msg('error.server', { message: r.message }));
    setFlagging(false);
    setReason('');
    onChange(r.value);
  };

  return (
    <section className={`caller${caller.flagged ? ' flagged' : ''}`} data-calls={caller.calls} data-flagged={caller.flagged} aria-live="polite">
      <div className="row">
        <strong className="grow">{caller.calls === 0 ? t('caller.first') : t('caller.calls', { n: count(caller.calls) })}</strong>
        {caller.flagged ? (
          <button type="button" className="link" onClick={() => void setFlag(false)}>
            {t('caller.unflag')}
          </button>
        ) : !flagging ? (
          <button type="button" className="link" onClick={() => setFlagging(true)}>
            {t('caller.flag')}
          </button>
        ) : null}
      </div>
      {caller.flagged ? (
        <p className="flag" role="note">
          ⚑ {t('caller.flagged')}
          {caller.flagReason ? `: ${caller.flagReason}` : ''} — {t('caller.stillTaken')}
        </p>
      ) : null}
      {flagging ? (
        <div className="row flag-form">
          <input
            className="grow"
            name="flagReason"
            aria-label={t('caller.flagReason')}
            placeholder={t('caller.flagReason')}
            maxLength={300}
            value={reason}
            autoFocus
            onChange={(e) => setReason(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void setFlag(true);
              } else if (e.key === 'Escape') setFlagging(false);
            }}
          />
          <button type="button" onClick={() => void setFlag(true)}>
            {t('caller.flagConfirm')}
          </button>
        </div>
      ) : null}
      {error ? <p className="error">{tm(error)}</p> : null}
      {caller.recent.length ? (
        <ul className="recent">
          {caller.recent.slice(0, 3).map((i) => (
            <li key={i.id}>
              #{i.number} · {t(categoryKey(i.category))} · {t(stateKey(i.state))} · {time(i.createdAt)}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
