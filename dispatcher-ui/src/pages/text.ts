import { useMemo } from 'react';
import { useI18n, type I18n } from '../i18n/I18n.tsx';
import type { Locale } from '../i18n/dict.ts';
import { fillParams, intlLocale } from '../i18n/format.ts';
import { pagesEn, pagesVi, type PageKey } from '../i18n/pages.ts';

type Params = Record<string, string | number>;
const DICTS: Record<Locale, Record<PageKey, string>> = { vi: pagesVi, en: pagesEn };

/** Fills `{name}` placeholders of a page string; numbers in the locale's notation. */
export function pageText(locale: Locale, key: PageKey, params?: Params): string {
  return fillParams(locale, DICTS[locale][key], params);
}

export function isPageKey(k: string): k is PageKey {
  return k in pagesVi;
}

export interface PageI18n extends I18n {
  p(key: PageKey, params?: Params): string;
  /** Date and time, e.g. 25/11/2026 14:05. */
  dateTime(t: string | number): string;
  /** A share 0–1 as a percentage, e.g. 87 %. */
  percent(share: number): string;
  /** A duration in seconds as m:ss (h:mm:ss from an hour). */
  duration(sec: number): string;
}

/** The dispatcher screen's i18n (locale, shared words) plus the pages' own strings and formats. */
export function usePageText(): PageI18n {
  const i18n = useI18n();
  return useMemo(() => {
    const loc = intlLocale(i18n.locale);
    const dt = new Intl.DateTimeFormat(loc, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
    const pct = new Intl.NumberFormat(loc, { style: 'percent', maximumFractionDigits: 0 });
    return {
      ...i18n,
      p: (key, params) => pageText(i18n.locale, key, params),
      dateTime: (t) => dt.format(new Date(t)),
      percent: (share) => pct.format(share),
      duration: (sec) => i18n.eta(sec),
    };
  }, [i18n]);
}
