import { useCallback, useEffect, useState } from 'react';
import type { Report } from '@lifeline/protocol';
import { api1022, type Line1022Config } from './api1022.ts';

/** How often open reports are re-read (they are not pushed over the socket yet). */
const REFRESH_MS = 10_000;

/**
 * Open 1022 reports as the server scopes them (all for the centre, its own for an agency), re-read
 * every 10 s and on `reload()`, with the categories and agencies to name them.
 */
export function useOpenReports() {
  const [reports, setReports] = useState<Report[] | null>(null);
  const [config, setConfig] = useState<Line1022Config | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    const r = await api1022.reports(true);
    if (r.ok) {
      setReports(r.value);
      setError(null);
    } else setError(r.message);
  }, []);
  useEffect(() => {
    void reload();
    void api1022.config().then((r) => r.ok && setConfig(r.value));
    const timer = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return { reports, config, error, reload };
}
