import { useEffect, useId, useState, type FormEvent, type KeyboardEvent, type RefObject } from 'react';
import { CATEGORIES, CHANNELS, LINES, type Category, type Channel, type CreateIncidentResponse, type LatLng, type Line } from '@lifeline/protocol';
import { api, type ClientConfig } from '../../api.ts';
import { useI18n } from '../../i18n/I18n.tsx';
import { msg, type Msg } from '../../i18n/format.ts';
import { categoryKey, priorityKey, type MessageKey } from '../../i18n/dict.ts';
import { formatLatLng, isValidPhone, parseLatLng } from './location.ts';
import { CallerInfo, useCallerLookup } from './CallerInfo.tsx';
import { CallerFlag } from './CallerFlag.tsx';
import { AddressSearch } from './AddressSearch.tsx';
import { ReportFields, ReportTypeChoice, type IntakeKind } from '../line1022/ReportIntake.tsx';
import { api1022 } from '../line1022/api1022.ts';
import { useLineText } from '../../i18n/line1022.ts';

export interface IntakeFormProps {
  /** Where the call is, from a map click, a dragged pin or typed coordinates. */
  location: LatLng | null;
  /** `bbox` ([west, south, east, north]): a street was picked, show all of it. */
  onLocationChange(at: LatLng | null, typed: boolean, bbox?: [number, number, number, number]): void;
  onCreated(r: CreateIncidentResponse): void;
  /** The phone field, focused by the "new call" shortcut. */
  phoneRef?: RefObject<HTMLInputElement | null>;
  /** The form itself: Enter on the map after placing the pin submits it (App). */
  formRef?: RefObject<HTMLFormElement | null>;
  /** The server's auto-assign policy (`/api/config`), shown next to the priority. */
  autoAssign?: ClientConfig['autoAssign'];
  /** The map's centre: address suggestions near it rank higher. */
  mapCenter?(): LatLng | null;
  /** The server has a road graph, so streets can be found by name (else hospitals only). */
  streetSearch?: boolean;
}

const PRIORITIES = [1, 2, 3, 4] as const;

/**
 * Call intake, keyboard first: line, channel, caller phone and name, location (map click or typed
 * coordinates), address, category, priority, notes → POST /api/incidents. From the phone (where F2
 * puts the focus) Tab walks the fields in that order to the create button; Enter in any field
 * creates the incident, the selects included (Ctrl+Enter in the notes). The caller's history
 * appears as soon as the number is typed; flagging the caller is an action after create.
 */
export function IntakeForm({ location, onLocationChange, onCreated, phoneRef, formRef, autoAssign, mapCenter, streetSearch = false }: IntakeFormProps) {
  const { t, tm, eta } = useI18n();
  const id = useId();
  const [line, setLine] = useState<Line>('115');
  const [channel, setChannel] = useState<Channel>('phone');
  const [phone, setPhone] = useState('');
  const [name, setName] = useState('');
  const [caller, setCaller] = useCallerLookup(phone);
  const [category, setCategory] = useState<Category>('other');
  const [priority, setPriority] = useState<number>(2);
  const [address, setAddress] = useState('');
  const [notes, setNotes] = useState('');
  const [locText, setLocText] = useState('');
  const [error, setError] = useState<Msg | null>(null);
  const [busy, setBusy] = useState(false);
  // Line 1022: an emergency follows the ambulance flow; any other kind becomes a report for the agencies.
  const { l } = useLineText();
  const [kind, setKind] = useState<IntakeKind>('emergency');
  const [reportCategory, setReportCategory] = useState('');
  const [description, setDescription] = useState('');
  const [reportDone, setReportDone] = useState<string | null>(null);
  const asReport = line === '1022' && kind !== 'emergency';

  // A click on the map (or a dragged pin) rewrites the typed coordinates.
  useEffect(() => {
    if (location) {
      const typed = parseLatLng(locText);
      if (!typed || typed.lat !== location.lat || typed.lng !== location.lng) setLocText(formatLatLng(location));
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [location]);

  const reset = () => {
    setPhone('');
    setName('');
    setChannel('phone');
    setCategory('other');
    setPriority(2);
    setAddress('');
    setNotes('');
    setLocText('');
    setError(null);
    setKind('emergency');
    setReportCategory('');
    setDescription('');
    onLocationChange(null, false);
  };

  // A 1022 report: the location is optional (an address will do); no units, no priority.
  const submitReport = async (at: LatLng | null) => {
    if (kind === 'emergency') return;
    setBusy(true);
    const r = await api1022.createReport({
      type: kind,
      ...(kind === 'field_report' && reportCategory ? { categoryId: reportCategory } : {}),
      description: description.trim(),
      callerPhone: phone.trim(),
      channel,
      ...(name.trim() ? { callerName: name.trim() } : {}),
      ...(at ? { location: at } : {}),
      ...(address.trim() ? { address: address.trim() } : {}),
    });
    setBusy(false);
    if (!r.ok) return setError(r.code === 'NETWORK' ? msg('error.network') : msg('error.server', { message: r.message }));
    reset();
    setReportDone(l('intake.created', { number: r.value.report.number, code: r.value.trackingCode }));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!isValidPhone(phone)) return setError(msg('intake.err.phone'));
    setReportDone(null);
    if (asReport) return submitReport(parseLatLng(locText) ?? location);
    const at = parseLatLng(locText) ?? location;
    if (!at) return setError(locText.trim() ? msg('intake.err.locationFormat') : msg('intake.err.location'));
    setError(null);
    setBusy(true);
    const r = await api.createIncident({
      line,
      channel,
      callerPhone: phone.trim(),
      ...(name.trim() ? { callerName: name.trim() } : {}),
      location: at,
      category,
      priority,
      ...(address.trim() ? { address: address.trim() } : {}),
      ...(notes.trim() ? { notes: notes.trim() } : {}),
    });
    setBusy(false);
    if (!r.ok) return setError(r.code === 'NETWORK' ? msg('error.network') : msg('error.server', { message: r.message }));
    onCreated(r.value);
    reset();
  };

  // Browsers submit a form on Enter in a text field, not in a select: the selects do it here.
  const enterInSelect = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key === 'Enter' && e.target instanceof HTMLSelectElement) {
      e.preventDefault();
      e.currentTarget.requestSubmit();
    }
  };

  return (
    <form ref={formRef} className="panel intake" onSubmit={submit} onKeyDown={enterInSelect} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>{t('intake.title')}</h2>
      <p className="hint">{t('intake.hint')}</p>
      <fieldset className="row lines">
        <legend>{t('intake.line')}</legend>
        {LINES.map((l) => (
          <label key={l} className={`chip${line === l ? ' on' : ''}`}>
            <input type="radio" name="line" value={l} checked={line === l} onChange={() => setLine(l)} />
            {l}
          </label>
        ))}
      </fieldset>
      {line === '1022' ? <ReportTypeChoice value={kind} onChange={setKind} /> : null}
      <div className="row">
        <label className="grow">
          {t('intake.channel')}
          <select name="channel" value={channel} onChange={(e) => setChannel(e.target.value as Channel)}>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t(`channel.${c}` satisfies MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          {t('intake.phone')}
          <input ref={phoneRef} name="callerPhone" type="tel" inputMode="tel" autoComplete="off" value={phone} onChange={(e) => setPhone(e.target.value)} autoFocus />
        </label>
      </div>
      {caller ? <CallerInfo caller={caller} /> : null}
      <label>
        {t('intake.name')}
        <input name="callerName" autoComplete="off" maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        {t('intake.location')}
        <input
          name="location"
          value={locText}
          placeholder={t('intake.locationPlaceholder')}
          autoComplete="off"
          onChange={(e) => {
            setLocText(e.target.value);
            const p = parseLatLng(e.target.value);
            if (p) onLocationChange(p, true);
          }}
        />
      </label>
      <label>
        {t('intake.address')}
        <AddressSearch
          value={address}
          onChange={setAddress}
          onPick={(p) => onLocationChange(p.location, true, p.bbox)}
          near={() => mapCenter?.() ?? null}
          streets={streetSearch}
        />
      </label>
      {kind !== 'emergency' && asReport ? (
        <ReportFields kind={kind} category={reportCategory} onCategory={setReportCategory} description={description} onDescription={setDescription} />
      ) : (
      <>
      <div className="row">
        <label className="grow">
          {t('intake.category')}
          <select name="category" value={category} onChange={(e) => setCategory(e.target.value as Category)}>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(categoryKey(c))}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          {t('intake.priority')}
          <select name="priority" value={priority} onChange={(e) => setPriority(Number(e.target.value))}>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(priorityKey(p))}
              </option>
            ))}
          </select>
          {autoAssign?.priorities.length ? (
            <small
              className={`auto-hint${autoAssign.priorities.includes(priority) ? ' on' : ''}`}
              data-auto-assign={autoAssign.priorities.includes(priority) ? 'on' : 'off'}
              title={t('auto.intakeTitle', { priorities: autoAssign.priorities.map((p) => `P${p}`).join(', '), eta: eta(autoAssign.maxEtaSec) })}
            >
              {t('auto.intake', { priorities: autoAssign.priorities.map((p) => `P${p}`).join(', ') })}
            </small>
          ) : null}
        </label>
      </div>
      <label>
        {t('intake.notes')}
        <textarea
          name="notes"
          rows={2}
          maxLength={2000}
          value={notes}
          onChange={(e) => setNotes(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit();
          }}
        />
      </label>
      </>
      )}
      {reportDone ? (
        <p className="notice" role="status" data-testid="report-created">
          {reportDone}
        </p>
      ) : null}
      {error ? (
        <p className="error" role="alert">
          {tm(error)}
        </p>
      ) : null}
      <div className="row actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('intake.submitting') : t('intake.submit')}
        </button>
        <button type="button" onClick={reset} disabled={busy}>
          {t('intake.clear')}
        </button>
        {caller ? <CallerFlag caller={caller} onChange={setCaller} /> : null}
      </div>
    </form>
  );
}
