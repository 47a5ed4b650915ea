import type { AlertEvent } from '@lifeline/protocol';
import { useI18n } from '../../i18n/I18n.tsx';

export interface AlertListProps {
  alerts: AlertEvent[];
  incidentNumber(id: string): string;
  callSign(vehicleId: string): string;
  onDismiss(a: AlertEvent): void;
  /** Re-recommend: choose another unit for the incident (the alert goes with it). */
  onReassign(a: AlertEvent): void;
}

/**
 * Server alerts (a unit that did not acknowledge its assignment in time), each with the way out:
 * choose another unit. An alert clears itself when the unit acknowledges late or the incident
 * moves on (LiveStore); one whose incident the auto-assign policy already moved stays until dismissed.
 */
export function AlertList({ alerts, incidentNumber, callSign, onDismiss, onReassign }: AlertListProps) {
  const { t, time } = useI18n();
  if (alerts.length === 0) return null;
  return (
    <section className="alerts" aria-live="assertive">
      {alerts.map((a) => (
        <div key={`${a.type}:${a.incidentId}:${a.ts}`} className="alert" role="alert" data-auto-reassigned={a.autoReassignedTo}>
          <span>
            {time(a.ts)} ·{' '}
            {a.autoReassignedTo
              ? t('alert.auto_reassigned', { unit: callSign(a.vehicleId), number: incidentNumber(a.incidentId), to: callSign(a.autoReassignedTo) })
              : t('alert.ack_timeout', { unit: callSign(a.vehicleId), number: incidentNumber(a.incidentId) })}
          </span>
          <button type="button" className="link" onClick={() => onReassign(a)}>
            {t('detail.reassign')}
          </button>
          <button type="button" className="link" onClick={() => onDismiss(a)}>
            {t('alert.dismiss')}
          </button>
        </div>
      ))}
    </section>
  );
}
