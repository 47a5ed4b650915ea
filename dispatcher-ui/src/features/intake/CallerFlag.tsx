import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import type { Caller } from '@lifeline/protocol';
import { api } from '../../api.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { msg, type Msg } from '../../i18n/format.ts';

/**
 * Flag (or clear the flag of) a harassing caller. Flagging an emergency caller by accident is a
 * safety fault, so it takes a deliberate act: this button sits after the form's create button,
 * and flagging asks for confirmation in a modal dialog whose focus starts on "cancel"; neither
 * Enter in the reason nor a stray Space confirms. Clearing a flag needs no confirmation.
 */
export function CallerFlag({ caller, onChange }: { caller: Caller; onChange(c: Caller): void }) {
  const { t } = useI18n();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<Msg | null>(null);

  const setFlag = async (flagged: boolean, reason?: string) => {
    setError(null);
    const r = await api.flagCaller(caller.phone, flagged, flagged ? reason : undefined);
    if (!r.ok) return setError(r.code === 'NETWORK' ? msg('error.network') : msg('error.server', { message: r.message }));
    setConfirming(false);
    onChange(r.value);
  };

  return (
    <>
      {caller.flagged ? (
        <button type="button" className="link" data-action="unflag-caller" onClick={() => void setFlag(false)}>
          {t('caller.unflag')}
        </button>
      ) : (
        <button type="button" className="link danger-link" data-action="flag-caller" onClick={() => setConfirming(true)}>
          {t('caller.flag')}
        </button>
      )}
      {confirming ? <ConfirmFlag phone={caller.phone} error={error} onConfirm={(reason) => void setFlag(true, reason)} onCancel={() => setConfirming(false)} /> : null}
    </>
  );
}

interface ConfirmFlagProps {
  phone: string;
  error: Msg | null;
  onConfirm(reason: string | undefined): void;
  onCancel(): void;
}

/** The modal confirmation, outside the intake form (a portal), so no key in it reaches the form. */
function ConfirmFlag({ phone, error, onConfirm, onCancel }: ConfirmFlagProps) {
  const { t, tm } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [reason, setReason] = useState('');
  const cancel = useRef(onCancel);
  cancel.current = onCancel;

  // Opened once, as a modal (focus stays inside; Escape closes it, which cancels).
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    d.showModal();
    cancelRef.current?.focus();
    const closed = () => cancel.current();
    d.addEventListener('close', closed);
    return () => d.removeEventListener('close', closed);
  }, []);

  // React passes events through portals to the form's handlers: stop them here.
  const contain = (e: KeyboardEvent) => {
    e.stopPropagation();
    if (e.key === 'Enter' && e.target instanceof HTMLInputElement) e.preventDefault();
  };

  return createPortal(
    <dialog ref={ref} className="confirm-flag" aria-labelledby="confirm-flag-title" onKeyDown={contain}>
      <h2 id="confirm-flag-title">{t('caller.flagTitle', { phone })}</h2>
      <p>{t('caller.flagExplain')}</p>
      <label>
        {t('caller.flagReason')}
        <input name="flagReason" maxLength={300} autoComplete="off" value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      {error ? (
        <p className="error" role="alert">
          {tm(error)}
        </p>
      ) : null}
      <div className="row actions">
        <button ref={cancelRef} type="button" data-action="cancel-flag" onClick={onCancel}>
          {t('reason.cancel')}
        </button>
        <button type="button" className="danger" data-action="confirm-flag" onClick={() => onConfirm(reason.trim() || undefined)}>
          {t('caller.flagConfirm')}
        </button>
      </div>
    </dialog>,
    document.body,
  );
}
