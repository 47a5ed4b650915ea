import { useEffect, useState, type FormEvent } from 'react';
import type { PublicReport } from '@lifeline/protocol';
import { useLineText } from '../../i18n/line1022.ts';
import { api1022, type CategoryOption } from './api1022.ts';

/** With the tracking code: status, the agency's answer and its photos, and the rating once closed. */
export function TrackReport({ initialCode, categories }: { initialCode: string; categories: CategoryOption[] }) {
  const { l, locale } = useLineText();
  const [code, setCode] = useState(initialCode);
  const [report, setReport] = useState<PublicReport | null>(null);
  const [photos, setPhotos] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);

  const lookup = async (e?: FormEvent) => {
    e?.preventDefault();
    const r = await api1022.track(code);
    if (!r.ok) {
      setReport(null);
      return setError(r.status === 404 || r.status === 400 ? l('citizen.notFound') : l('citizen.err.server', { message: r.message }));
    }
    setError(null);
    setReport(r.value);
  };
  useEffect(() => {
    if (initialCode) void lookup();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // The agency's photos of the fix, fetched with the code in a header.
  useEffect(() => {
    let urls: string[] = [];
    let live = true;
    const ids = report?.media.filter((m) => m.kind === 'agency').map((m) => m.id) ?? [];
    void Promise.all(ids.map((id) => api1022.publicPhoto(code, id))).then((u) => {
      urls = u.filter((x): x is string => x !== null);
      if (live) setPhotos(urls);
    });
    return () => {
      live = false;
      urls.forEach((u) => URL.revokeObjectURL(u));
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [report?.media.length]);

  const rate = async (rating: 'satisfied' | 'unsatisfied') => {
    const r = await api1022.rate(code, rating);
    if (r.ok) setReport(r.value);
    else setError(l('citizen.err.server', { message: r.message }));
  };

  const category = categories.find((c) => c.id === report?.categoryId);
  return (
    <section className="citizen-card">
      <form onSubmit={lookup} className="row">
        <label className="grow">
          {l('citizen.code')}
          <input name="code" autoCapitalize="characters" autoComplete="off" spellCheck={false} value={code} onChange={(e) => setCode(e.target.value)} />
        </label>
        <button type="submit">{l('citizen.lookup')}</button>
      </form>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {report ? (
        <div className="tracked" data-testid="tracked" data-state={report.state}>
          <p>
            <strong>#{report.number}</strong> · {l(`type.${report.type}`)}
            {category ? ` · ${locale === 'vi' ? category.nameVi : category.nameEn}` : ''}
          </p>
          <p className="desc">{report.description}</p>
          <p>
            {l('citizen.status')}: <strong data-testid="status">{l(`state.${report.state}`)}</strong>
          </p>
          {report.agencyName ? (
            <p>
              {l('citizen.agency')}: {report.agencyName}
            </p>
          ) : null}
          {report.answer ? (
            <blockquote data-testid="answer">
              <small>{l('citizen.answer')}</small>
              <br />
              {report.answer}
            </blockquote>
          ) : null}
          {photos.length ? (
            <div className="photos">
              {photos.map((u) => (
                <img key={u} src={u} alt="" />
              ))}
            </div>
          ) : null}
          {report.state === 'closed' && !report.rating ? (
            <div className="rate">
              <p>{l('citizen.rate')}</p>
              <button type="button" className="primary" onClick={() => void rate('satisfied')}>
                {l('rating.satisfied')}
              </button>{' '}
              <button type="button" onClick={() => void rate('unsatisfied')}>
                {l('rating.unsatisfied')}
              </button>
            </div>
          ) : null}
          {report.rating ? <p data-testid="rated">{l('citizen.rated', { rating: l(`rating.${report.rating}`) })}</p> : null}
        </div>
      ) : null}
    </section>
  );
}
