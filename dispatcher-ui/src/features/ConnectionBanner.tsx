import type { ConnectionState } from '../realtime/store.ts';
import type { ServerHealth } from '../realtime/health.ts';
import { useI18n } from '../i18n/I18n.tsx';
import { HEALTH_REASON_KEYS } from '../i18n/dict.ts';

/**
 * The connection indicator in the top bar: the socket's state, and while it is live, whether the
 * server says it is degraded (GET /healthz), with the reasons in its tooltip.
 */
export function ConnectionIndicator({ status, health }: { status: ConnectionState['status']; health: ServerHealth | null }) {
  const { t } = useI18n();
  const degraded = status === 'live' && health?.status === 'degraded';
  const reasons = degraded ? health.reasons.map((r) => (r in HEALTH_REASON_KEYS ? t(HEALTH_REASON_KEYS[r as keyof typeof HEALTH_REASON_KEYS]) : r)) : [];
  const shown = degraded ? 'degraded' : status;
  return (
    <span className={`conn ${shown}`} data-connection={status} data-health={health?.status ?? 'unknown'} data-reasons={health?.reasons.join(' ') ?? ''} title={reasons.join('\n') || undefined} role="status">
      {t(`conn.${shown}`)}
    </span>
  );
}

/** Says, whenever the socket is down or resyncing, that the data on screen may be stale. */
export function ConnectionBanner({ conn }: { conn: ConnectionState }) {
  const { t, time } = useI18n();
  let text: string | null = null;
  if (conn.status === 'offline') text = conn.snapshots === 0 ? t('banner.noServer') : t('banner.stale', { time: time(conn.staleSince ?? Date.now()) });
  else if (conn.status === 'resyncing') text = t('banner.resyncing');
  if (!text) return null;
  return (
    <div className={`banner ${conn.status}`} role="status" aria-live="polite" data-connection={conn.status}>
      {text}
    </div>
  );
}
