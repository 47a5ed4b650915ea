import type { AlertEvent } from '@lifeline/protocol';
import { useI18n } from '../../i18n/I18n.tsx';
import { statusKey } from '../../i18n/dict.ts';

export interface AlertListProps {
  alerts: AlertEvent[];
  incidentNumber(id: string): string;
  callSign(vehicleId: string): string;
  onDismiss(a: AlertEvent): void;
  /** Re-recommend: choose another unit for the incident (the alert goes with it). */
  onReassign(a: AlertEvent): void;
  /** Recommend a unit for a call that has none any more (its unit handed it back). */
  onAssign(a: AlertEvent): void;
}

/**
 * Server alerts, each with the way out: a unit that did not acknowledge its assignment in time
 * (choose another unit), or a unit that handed its call back by its own status report (choose a
 * unit again). An alert clears itself when the unit acknowledges late or the incident moves on
 * (LiveStore); one whose incident the auto-assign policy already moved stays until dismissed.
 */
export function AlertList({ alerts, incidentNumber, callSign, onDismiss, onReassign, onAssign }: AlertListProps) {
  const { t, time } = useI18n();
  if (alerts.length === 0) return null;
  const text = (a: AlertEvent): string => {
    const vars = { unit: callSign(a.vehicleId), number: incidentNumber(a.incidentId) };
    if (a.type === 'unit_released') return t('alert.unit_released', { ...vars, status: t(statusKey(a.unitStatus ?? 'available')) });
    if (a.autoReassignedTo) return t('alert.auto_reassigned', { ...vars, to: callSign(a.autoReassignedTo) });
    return t('alert.ack_timeout', vars);
  };
  return (
    <section className="alerts" aria-live="assertive">
      {alerts.map((a) => (
        <div key={`${a.type}:${a.incidentId}:${a.ts}`} className="alert" role="alert" data-type={a.type} data-incident-id={a.incidentId} data-auto-reassigned={a.autoReassignedTo}>
          <span>
            {time(a.ts)} · {text(a)}
          </span>
          {a.type === 'unit_released' ? (
            <button type="button" className="link" data-action="assign" onClick={() => onAssign(a)}>
              {t('incidents.openRecs')}
            </button>
          ) : (
            <button type="button" className="link" data-action="reassign" onClick={() => onReassign(a)}>
              {t('detail.reassign')}
            </button>
          )}
          <button type="button" className="link" onClick={() => onDismiss(a)}>
            {t('alert.dismiss')}
          </button>
        </div>
      ))}
    </section>
  );
}
