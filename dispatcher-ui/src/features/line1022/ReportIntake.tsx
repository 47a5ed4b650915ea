import { useEffect, useState } from 'react';
import type { ReportType } from '@lifeline/protocol';
import { useLineText, type LineKey } from '../../i18n/line1022.ts';
import { api1022, type Line1022Config } from './api1022.ts';

export type IntakeKind = 'emergency' | ReportType;
const KINDS: IntakeKind[] = ['emergency', 'field_report', 'procedure_question', 'suggestion'];

/** On line 1022 the call is first sorted: an emergency (ambulance flow) or a report for the agencies. */
export function ReportTypeChoice<K extends IntakeKind>({ value, onChange, kinds = KINDS as K[], legend = 'intake.reportType', name = 'reportType', className = 'row lines report-types' }: { value: K; onChange(k: K): void; kinds?: K[]; legend?: LineKey; name?: string; className?: string }) {
  const { l } = useLineText();
  return (
    <fieldset className={className}>
      <legend>{l(legend)}</legend>
      {kinds.map((k) => (
        <label key={k} className={`chip${value === k ? ' on' : ''}`}>
          <input type="radio" name={name} value={k} checked={value === k} onChange={() => onChange(k)} />
          {l(`type.${k}`)}
        </label>
      ))}
    </fieldset>
  );
}

/** The report's own fields: its category (a field report) and what the caller says. */
export function ReportFields({ kind, category, onCategory, description, onDescription }: { kind: ReportType; category: string; onCategory(c: string): void; description: string; onDescription(d: string): void }) {
  const { l, locale } = useLineText();
  const [config, setConfig] = useState<Line1022Config | null>(null);
  useEffect(() => {
    void api1022.config().then((r) => r.ok && setConfig(r.value));
  }, []);
  return (
    <>
      {kind === 'field_report' ? (
        <label>
          {l('intake.reportCategory')}
          <select name="reportCategory" value={category} onChange={(e) => onCategory(e.target.value)}>
            <option value="">—</option>
            {config?.categories.map((c) => (
              <option key={c.id} value={c.id}>
                {locale === 'vi' ? c.nameVi : c.nameEn}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label>
        {l('intake.description')}
        <textarea name="description" rows={3} maxLength={4000} value={description} onChange={(e) => onDescription(e.target.value)} />
      </label>
    </>
  );
}
