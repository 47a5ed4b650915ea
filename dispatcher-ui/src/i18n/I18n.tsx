import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { LOCALES, type Locale, type MessageKey } from './dict.ts';
import { formatCount, formatEta, formatKm, formatTime, translate, type Msg, type Params } from './format.ts';

export interface I18n {
  locale: Locale;
  setLocale(l: Locale): void;
  t(key: MessageKey, params?: Params): string;
  /** Translates a message kept for later (notices, errors). */
  tm(m: Msg): string;
  eta(sec: number): string;
  km(m: number): string;
  time(t: string | number): string;
  count(n: number): string;
}

const STORAGE_KEY = 'lifeline.locale';
const Ctx = createContext<I18n | null>(null);

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale;
  } catch {
    // storage can be disabled; Vietnamese is the default
  }
  return 'vi';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const setLocale = useCallback((l: Locale) => {
    setLocaleState(l);
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      // not persisted; fine
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = `${translate(locale, 'app.title')} — ${translate(locale, 'app.subtitle')}`;
  }, [locale]);
  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale,
      t: (key, params) => translate(locale, key, params),
      tm: (m) => translate(locale, m.key, m.params),
      eta: (sec) => formatEta(locale, sec),
      km: (m) => formatKm(locale, m),
      time: (t) => formatTime(locale, t),
      count: (n) => formatCount(locale, n),
    }),
    [locale, setLocale],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
