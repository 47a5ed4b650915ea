import { useEffect, useState } from 'react';
import { serverNow } from './serverClock.ts';

/** The wall clock in server time (see serverClock.ts), re-read every `everyMs` (default 1 s): one re-render per tick for live timers. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => serverNow());
  useEffect(() => {
    const timer = setInterval(() => setNow(serverNow()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
