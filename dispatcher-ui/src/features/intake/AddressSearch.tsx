import { useEffect, useId, useRef, useState } from 'react';
import type { GeocodeResult, LatLng } from '@lifeline/protocol';
import { api } from '../../api.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { MIN_QUERY_CHARS, streetQuery } from './addressQuery.ts';

/** Wait after the last keystroke before asking the server, ms. */
const DEBOUNCE_MS = 250;

export interface AddressSearchProps {
  value: string;
  onChange(text: string): void;
  /** A suggestion was picked: place the call there. */
  onPick(place: GeocodeResult): void;
  /** Where the map looks now: nearer places rank higher. */
  near(): LatLng | null;
  /** False without a road graph on the server: only hospitals can be found (a hint says so). */
  streets: boolean;
}

/**
 * The address field, with suggestions of streets (from the server's road graph) and hospitals
 * as the dispatcher types (ARIA combobox): ↓/↑ move, Enter picks, Esc closes; a click picks too.
 * The typed text stays as it is (house number, ward…); picking places the call on the street.
 */
export function AddressSearch({ value, onChange, onPick, near, streets }: AddressSearchProps) {
  const { t } = useI18n();
  const id = useId();
  const [results, setResults] = useState<GeocodeResult[] | null>(null);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  /** The query last picked from: not asked again until the text changes. */
  const picked = useRef<string | null>(null);
  const nearRef = useRef(near);
  nearRef.current = near;

  const query = streetQuery(value);
  useEffect(() => {
    if (query.length < MIN_QUERY_CHARS || query === picked.current) {
      setResults(null);
      setOpen(false);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      const c = nearRef.current();
      const nearParam = c ? `&near=${c.lat.toFixed(5)},${c.lng.toFixed(5)}` : '';
      void api.geocode(query, nearParam).then((r) => {
        if (!live) return;
        setResults(r.ok ? r.value : []);
        setActive(-1);
        setOpen(true);
      });
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);

  const pick = (p: GeocodeResult) => {
    picked.current = query;
    setOpen(false);
    setResults(null);
    onPick(p);
  };

  const list = open && results ? results : null;
  const listId = `${id}-suggestions`;
  return (
    <div className="address-search">
      <input
        name="address"
        value={value}
        maxLength={300}
        autoComplete="off"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={list !== null}
        aria-controls={listId}
        aria-activedescendant={list && active >= 0 ? `${listId}-${active}` : undefined}
        placeholder={t(streets ? 'geocode.placeholder' : 'geocode.placeholderNoStreets')}
        onChange={(e) => {
          picked.current = null;
          onChange(e.target.value);
        }}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          if (!list) {
            if (e.key === 'ArrowDown' && results) setOpen(true);
            return;
          }
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            if (list.length === 0) return;
            const step = e.key === 'ArrowDown' ? 1 : -1;
            setActive((a) => wrap(a + step, list.length));
          } else if (e.key === 'Enter' && active >= 0 && list[active]) {
            e.preventDefault();
            pick(list[active]);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            setOpen(false);
          }
        }}
      />
      {list ? (
        <ul className="suggestions" id={listId} role="listbox" aria-label={t('geocode.suggestions')}>
          {list.map((p, i) => (
            <li
              key={`${p.kind}:${p.name}:${p.location.lat},${p.location.lng}`}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              data-kind={p.kind}
              onMouseDown={(e) => {
                e.preventDefault(); // keep the focus in the field
                pick(p);
              }}
              onMouseEnter={() => setActive(i)}
            >
              <span className="name">{p.name}</span>
              <small>{p.kind === 'hospital' ? t('geocode.hospital') : t('geocode.street')}</small>
            </li>
          ))}
          {list.length === 0 ? <li className="empty">{t('geocode.none')}</li> : null}
          {!streets ? <li className="empty" data-hint="no-streets">{t('geocode.noStreets')}</li> : null}
        </ul>
      ) : null}
    </div>
  );
}

/** -1 (nothing highlighted) … n-1, wrapping both ways. */
const wrap = (i: number, n: number): number => ((i + 1 + n + 1) % (n + 1)) - 1;
