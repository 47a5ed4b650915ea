import type { CreateReportBody, PublicReport, Report } from '@lifeline/protocol';
import { request, type ApiResult } from '../../api.ts';

export interface CategoryOption {
  id: string;
  nameVi: string;
  nameEn: string;
}

export interface Line1022Config {
  categories: (CategoryOption & { defaultAgencyId: string | null; deadlineHours: number })[];
  agencies: { id: string; name: string }[];
}

const enc = encodeURIComponent;

/** Multipart POST (photos); the same error shape as `request`. */
async function postForm<T>(path: string, form: FormData): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, { method: 'POST', body: form });
  } catch (err) {
    return { ok: false, status: 0, code: 'NETWORK', message: String(err) };
  }
  const data: unknown = await res.json().catch(() => null);
  if (res.ok) return { ok: true, value: data as T };
  const e = (data ?? {}) as { code?: 'INTERNAL'; message?: string };
  const retryAfter = Number(res.headers.get('retry-after'));
  return { ok: false, status: res.status, code: e.code ?? 'INTERNAL', message: e.message ?? res.statusText, ...(retryAfter > 0 ? { retryAfterSec: retryAfter } : {}) };
}

export const api1022 = {
  publicCategories: () => request<CategoryOption[]>('GET', '/api/public/report-categories'),
  fileReport: (body: CreateReportBody, photos: readonly File[]) => {
    const f = new FormData();
    f.append('report', JSON.stringify(body));
    for (const p of photos) f.append('photo', p, p.name);
    return postForm<{ report: Report; trackingCode: string }>('/api/public/reports', f);
  },
  track: (code: string) => request<PublicReport>('POST', '/api/public/reports/track', { code: code.trim() }),
  rate: (code: string, rating: 'satisfied' | 'unsatisfied') => request<PublicReport>('POST', '/api/public/reports/rate', { code: code.trim(), rating }),
  /** A photo of one's own report, as an object URL (the code travels in a header, not the URL). */
  publicPhoto: async (code: string, mediaId: string): Promise<string | null> => {
    const res = await fetch(`/api/public/media/${enc(mediaId)}`, { headers: { 'x-tracking-code': code.trim() } }).catch(() => null);
    return res?.ok ? URL.createObjectURL(await res.blob()) : null;
  },

  config: () => request<Line1022Config>('GET', '/api/line1022/config'),
  createReport: (body: CreateReportBody) => request<{ report: Report; trackingCode: string }>('POST', '/api/reports', body),
  reports: (open = true) => request<Report[]>('GET', `/api/reports${open ? '?open=true' : ''}`),
  forward: (id: string, agencyId: string, reason: string) => request<Report>('POST', `/api/reports/${enc(id)}/forward`, { agencyId, reason }),
  agency: {
    accept: (id: string) => request<Report>('POST', `/api/agency/reports/${enc(id)}/accept`),
    answer: (id: string, text: string) => request<Report>('POST', `/api/agency/reports/${enc(id)}/answer`, { text }),
    close: (id: string) => request<Report>('POST', `/api/agency/reports/${enc(id)}/close`),
    sendBack: (id: string, reason: string) => request<Report>('POST', `/api/agency/reports/${enc(id)}/send-back`, { reason }),
    passOn: (id: string, agencyId: string, reason: string) => request<Report>('POST', `/api/agency/reports/${enc(id)}/pass-on`, { agencyId, reason }),
    attach: (id: string, photos: readonly File[]) => {
      const f = new FormData();
      for (const p of photos) f.append('photo', p, p.name);
      return postForm<Report>(`/api/agency/reports/${enc(id)}/media`, f);
    },
  },
  /** A staff member's view of a photo: same origin, the session cookie authorises it. */
  photoUrl: (reportId: string, mediaId: string) => `/api/reports/${enc(reportId)}/media/${enc(mediaId)}`,
};
