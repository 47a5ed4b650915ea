import type { ConnectionState } from '../realtime/store.ts';
import { useI18n } from '../i18n/I18n.tsx';

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
