import { DICTIONARIES, type Locale, type MessageKey } from './dict.ts';

/** A parameter may itself be a message (e.g. a reason inside a sentence), translated with it. */
export type Params = Record<string, string | number | Msg>;

/** A message kept untranslated until shown, so a language switch also changes it. */
export interface Msg {
  key: MessageKey;
  params?: Params;
}
export const msg = (key: MessageKey, params?: Params): Msg => (params ? { key, params } : { key });

/** Looks a key up and fills `{name}` placeholders; numbers are formatted for the locale. */
export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  return fillParams(locale, DICTIONARIES[locale][key], params);
}

/** Fills `{name}` placeholders of `text` (also the role pages' strings); numbers in the locale's notation, messages translated. */
export function fillParams(locale: Locale, text: string, params?: Params): string {
  if (!params) return text;
  const nf = numberFormat(locale);
  return text.replace(/\{(\w+)\}/g, (m, name: string) => {
    const v = params[name];
    if (v === undefined) return m;
    if (typeof v === 'object') return translate(locale, v.key, v.params);
    return typeof v === 'number' ? nf.format(v) : v;
  });
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key);
  if (!f) cache.set(key, (f = make()));
  return f as T;
}

/** The Intl locale of a UI language. */
export const intlLocale = (l: Locale) => (l === 'vi' ? 'vi-VN' : 'en-GB');

function numberFormat(locale: Locale): Intl.NumberFormat {
  return cached(`n:${locale}`, () => new Intl.NumberFormat(intlLocale(locale), { useGrouping: false }));
}

/** Travel time as m:ss (h:mm:ss from one hour), e.g. 7:05. `etaSec` in seconds. */
export function formatEta(locale: Locale, etaSec: number): string {
  const two = cached(`2:${locale}`, () => new Intl.NumberFormat(intlLocale(locale), { minimumIntegerDigits: 2, useGrouping: false }));
  const one = numberFormat(locale);
  const total = Math.max(0, Math.round(etaSec));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${one.format(h)}:${two.format(m)}:${two.format(s)}` : `${two.format(m)}:${two.format(s)}`;
}

/** Distance in kilometres with one decimal in the locale's notation (vi: 3,2 km). `distanceM` in metres. */
export function formatKm(locale: Locale, distanceM: number): string {
  const f = cached(`km:${locale}`, () => new Intl.NumberFormat(intlLocale(locale), { style: 'unit', unit: 'kilometer', minimumFractionDigits: 1, maximumFractionDigits: 1 }));
  return f.format(distanceM / 1000);
}

/** Wall-clock time of an ISO string or epoch ms, e.g. 14:05:09. */
export function formatTime(locale: Locale, t: string | number): string {
  const f = cached(`t:${locale}`, () => new Intl.DateTimeFormat(intlLocale(locale), { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }));
  return f.format(new Date(t));
}

export function formatCount(locale: Locale, n: number): string {
  return cached(`c:${locale}`, () => new Intl.NumberFormat(intlLocale(locale))).format(n);
}
