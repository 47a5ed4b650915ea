import { useEffect, useState, type FormEvent } from 'react';
import type { LatLng, ReportType } from '@lifeline/protocol';
import { useLineText } from '../../i18n/line1022.ts';
import { api1022, type CategoryOption } from './api1022.ts';
import { ReportTypeChoice } from './ReportIntake.tsx';
import { TrackReport } from './TrackReport.tsx';
import './line1022.css';

const TYPES: ReportType[] = ['field_report', 'procedure_question', 'suggestion'];
const MAX_PHOTOS = 4;
const isPhone = (s: string) => /^\+?[0-9 ().-]{8,20}$/.test(s.trim());

/**
 * The citizen's page (public, no login, phone first): a report with category, description,
 * location from the phone's GPS, photos → a tracking code; with the code, the status, the
 * agency's answer and the rating. Served at /#/1022 (and /#/1022/track).
 */
export function CitizenPage() {
  const { l, locale, setLocale, t } = useLineText();
  const [tab, setTab] = useState<'report' | 'track'>(() => (location.hash.startsWith('#/1022/track') ? 'track' : 'report'));
  const [categories, setCategories] = useState<CategoryOption[]>([]);
  const [sent, setSent] = useState<{ code: string; number: number } | null>(null);

  useEffect(() => {
    void api1022.publicCategories().then((r) => r.ok && setCategories(r.value));
  }, []);

  return (
    <div className="citizen" lang={locale}>
      <header className="citizen-bar">
        <h1>{l('citizen.title')}</h1>
        <button type="button" className="lang" onClick={() => setLocale(locale === 'vi' ? 'en' : 'vi')}>
          {t('lang.other')}
        </button>
      </header>
      <nav className="citizen-tabs">
        <button type="button" className={tab === 'report' ? 'on' : ''} onClick={() => setTab('report')}>
          {l('citizen.submit')}
        </button>
        <button type="button" className={tab === 'track' ? 'on' : ''} data-testid="tab-track" onClick={() => setTab('track')}>
          {l('citizen.track')}
        </button>
      </nav>
      {tab === 'track' ? (
        <TrackReport initialCode={sent?.code ?? ''} categories={categories} />
      ) : sent ? (
        <section className="citizen-card" role="status">
          <p>{l('citizen.sent')}</p>
          <p className="code" data-testid="tracking-code">
            {sent.code}
          </p>
          <p className="muted">{l('citizen.keepCode')}</p>
          <button type="button" onClick={() => setTab('track')}>
            {l('citizen.track')}
          </button>{' '}
          <button type="button" onClick={() => setSent(null)}>
            {l('citizen.newReport')}
          </button>
        </section>
      ) : (
        <ReportForm categories={categories} onSent={setSent} />
      )}
    </div>
  );
}

function ReportForm({ categories, onSent }: { categories: CategoryOption[]; onSent(s: { code: string; number: number }): void }) {
  const { l, locale } = useLineText();
  const [type, setType] = useState<ReportType>('field_report');
  const [category, setCategory] = useState('');
  const [description, setDescription] = useState('');
  const [phone, setPhone] = useState('');
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [at, setAt] = useState<(LatLng & { accuracyM: number }) | null>(null);
  const [gps, setGps] = useState<'idle' | 'busy' | 'failed'>('idle');
  const [photos, setPhotos] = useState<File[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const locate = () => {
    if (!navigator.geolocation) return setGps('failed');
    setGps('busy');
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setAt({ lat: p.coords.latitude, lng: p.coords.longitude, accuracyM: Math.round(p.coords.accuracy) });
        setGps('idle');
      },
      () => setGps('failed'),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (type === 'field_report' && !category) return setError(l('citizen.err.category'));
    if (description.trim().length < 3) return setError(l('citizen.err.description'));
    if (!isPhone(phone)) return setError(l('citizen.err.phone'));
    setError(null);
    setBusy(true);
    const r = await api1022.fileReport(
      {
        type,
        ...(type === 'field_report' ? { categoryId: category } : {}),
        description: description.trim(),
        callerPhone: phone.trim(),
        ...(name.trim() ? { callerName: name.trim() } : {}),
        ...(address.trim() ? { address: address.trim() } : {}),
        ...(at ? { location: { lat: at.lat, lng: at.lng } } : {}),
      },
      photos,
    );
    setBusy(false);
    if (r.ok) return onSent({ code: r.value.trackingCode, number: r.value.report.number });
    setError(r.status === 429 ? l('citizen.err.tooMany', { sec: r.retryAfterSec ?? 60 }) : l('citizen.err.server', { message: r.message }));
  };

  return (
    <form className="citizen-card" onSubmit={submit} noValidate>
      <p className="muted">{l('citizen.intro')}</p>
      <ReportTypeChoice<ReportType> value={type} onChange={setType} kinds={TYPES} legend="citizen.type" name="type" className="types" />
      {type === 'field_report' ? (
        <label>
          {l('citizen.category')}
          <select name="category" value={category} onChange={(e) => setCategory(e.target.value)}>
            <option value="">—</option>
            {categories.map((c) => (
              <option key={c.id} value={c.id}>
                {locale === 'vi' ? c.nameVi : c.nameEn}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label>
        {l('citizen.description')}
        <textarea name="description" rows={4} maxLength={4000} placeholder={l('citizen.descriptionHint')} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <div className="gps">
        <span>{l('citizen.location')}</span>
        <button type="button" onClick={locate} disabled={gps === 'busy'} data-testid="use-gps">
          {gps === 'busy' ? l('citizen.locating') : l('citizen.useGps')}
        </button>
        {at ? (
          <small data-testid="gps-ok">
            {l('citizen.located', { accuracy: at.accuracyM })} · {at.lat.toFixed(5)}, {at.lng.toFixed(5)}
          </small>
        ) : gps === 'failed' ? (
          <small className="error">{l('citizen.noGps')}</small>
        ) : null}
      </div>
      <label>
        {l('citizen.address')}
        <input name="address" maxLength={300} autoComplete="street-address" value={address} onChange={(e) => setAddress(e.target.value)} />
      </label>
      <label>
        {l('citizen.phone')}
        <input name="phone" type="tel" inputMode="tel" autoComplete="tel" maxLength={20} value={phone} onChange={(e) => setPhone(e.target.value)} />
      </label>
      <label>
        {l('citizen.name')}
        <input name="name" autoComplete="name" maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        {l('citizen.photos')}
        <input name="photos" type="file" accept="image/jpeg,image/png" capture="environment" multiple onChange={(e) => setPhotos([...(e.target.files ?? [])].slice(0, MAX_PHOTOS))} />
      </label>
      {photos.length ? <small>{photos.map((p) => p.name).join(', ')}</small> : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="primary big" disabled={busy}>
        {busy ? l('citizen.sending') : l('citizen.submit')}
      </button>
    </form>
  );
}
