import type { Line1022Import } from '@lifeline/protocol';
import { areaProblem, type Area } from '../../core/line1022/routing.ts';
import type { Db } from './db.ts';

export type ImportResult = { ok: true; categories: number; agencies: number } | { ok: false; code: 'BAD_REQUEST'; message: string };

/**
 * Adds or replaces categories and agencies (an agency's category list is replaced whole), in one
 * transaction: a bad row changes nothing. Agencies and categories not named are kept.
 */
export async function importLine1022(db: Db, body: Line1022Import): Promise<ImportResult> {
  const categories = body.categories ?? [];
  const agencies = body.agencies ?? [];
  for (const a of agencies) {
    const problem = a.area ? areaProblem(a.area as Area) : null;
    if (problem) return { ok: false, code: 'BAD_REQUEST', message: `agency ${a.id}: ${problem}` };
  }
  try {
    await db.transaction().execute(async (trx) => {
      for (const a of agencies) {
        const area = a.area ? JSON.stringify(a.area) : null;
        await trx.insertInto('agencies').values({ id: a.id, name: a.name, area }).onConflict((oc) => oc.column('id').doUpdateSet({ name: a.name, area })).execute();
      }
      for (const [i, c] of categories.entries()) {
        const v = { name_vi: c.nameVi, name_en: c.nameEn, default_agency_id: c.defaultAgencyId ?? null, deadline_hours: c.deadlineHours, sort: i };
        await trx.insertInto('report_categories').values({ id: c.id, ...v }).onConflict((oc) => oc.column('id').doUpdateSet(v)).execute();
      }
      for (const a of agencies) {
        await trx.deleteFrom('agency_categories').where('agency_id', '=', a.id).execute();
        const rows = Object.entries(a.categories).map(([categoryId, hours]) => ({ agency_id: a.id, category_id: categoryId, deadline_hours: hours }));
        if (rows.length) await trx.insertInto('agency_categories').values(rows).execute();
      }
    });
  } catch (err) {
    // A foreign key names what is missing (an unknown category or default agency).
    const e = err as { code?: string; detail?: string };
    if (e.code === '23503') return { ok: false, code: 'BAD_REQUEST', message: `unknown reference: ${e.detail ?? 'a category or agency does not exist'}` };
    throw err;
  }
  return { ok: true, categories: categories.length, agencies: agencies.length };
}

/**
 * CSV import, one kind per file. Categories: `id,name_vi,name_en,default_agency_id,deadline_hours`.
 * Agencies: `id,name,categories,area` where categories is `traffic:24;environment` (hours optional)
 * and area a GeoJSON Polygon/MultiPolygon (quoted) or empty for the whole province.
 */
export function csvToImport(kind: 'categories' | 'agencies', text: string): { ok: true; body: Line1022Import } | { ok: false; message: string } {
  const parsed = parseCsv(text);
  if (!parsed.ok) return parsed;
  const [head, ...rows] = parsed.rows.filter((r) => r.some((c) => c.trim() !== ''));
  const want = kind === 'categories' ? ['id', 'name_vi', 'name_en', 'default_agency_id', 'deadline_hours'] : ['id', 'name', 'categories', 'area'];
  if (!head || want.some((w, i) => head[i]?.trim() !== w)) return { ok: false, message: `the header must be ${want.join(',')}` };
  if (kind === 'categories') {
    return {
      ok: true,
      body: { categories: rows.map((r) => ({ id: r[0]!.trim(), nameVi: r[1] ?? '', nameEn: r[2] ?? '', defaultAgencyId: r[3]?.trim() || null, deadlineHours: Number(r[4]) })) },
    };
  }
  const agencies = [];
  for (const [n, r] of rows.entries()) {
    let area: unknown = null;
    if (r[3]?.trim()) {
      try {
        area = JSON.parse(r[3]);
      } catch {
        return { ok: false, message: `line ${n + 2}: area is not JSON` };
      }
    }
    const categories: Record<string, number | null> = {};
    for (const item of (r[2] ?? '').split(';').filter((s) => s.trim())) {
      const [id, hours] = item.split(':');
      categories[id!.trim()] = hours?.trim() ? Number(hours) : null;
    }
    agencies.push({ id: r[0]!.trim(), name: r[1] ?? '', categories, area });
  }
  // The shapes are checked against the JSON schema by the caller, like a JSON import.
  return { ok: true, body: { agencies } as Line1022Import };
}

/** RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF. Total: an unclosed quote is an error. */
export function parseCsv(text: string): { ok: true; rows: string[][] } | { ok: false; message: string } {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (quoted) return { ok: false, message: 'a quoted field is not closed' };
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return { ok: true, rows };
}
