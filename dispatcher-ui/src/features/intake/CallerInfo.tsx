import { useEffect, useState } from 'react';
import type { Caller } from '@lifeline/protocol';
import { api } from '../../api.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { categoryKey, stateKey } from '../../i18n/dict.ts';
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
 * What the centre knows of a number: how often it called, its last incidents, and whether it is
 * flagged as harassing. Nothing here takes focus: the form's Tab order runs past it, and the flag
 * is changed by its own action (CallerFlag) after the create button. A flagged caller's call is
 * still taken; the flag only warns.
 */
export function CallerInfo({ caller }: { caller: Caller }) {
  const { t, time, count } = useI18n();
  return (
    <section className={`caller${caller.flagged ? ' flagged' : ''}`} data-calls={caller.calls} data-flagged={caller.flagged} aria-live="polite">
      <strong>{caller.calls === 0 ? t('caller.first') : t('caller.calls', { n: count(caller.calls) })}</strong>
      {caller.flagged ? (
        <p className="flag" role="note">
          ⚑ {t('caller.flagged')}
          {caller.flagReason ? `: ${caller.flagReason}` : ''} — {t('caller.stillTaken')}
        </p>
      ) : null}
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
