import { useEffect, useState } from 'react';

/** The wall clock, re-read every `everyMs` (default 1 s): one re-render per tick for live timers. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
