import type {
  AssignBody,
  AssignResponse,
  Caller,
  ChangeDestinationBody,
  ClientConfig,
  CreateIncidentBody,
  CreateIncidentResponse,
  ErrorCode,
  GeocodeResult,
  Hospital,
  Incident,
  LoginBody,
  LoginResponse,
  Recommendation,
  TimelineEvent,
  UnitRoute,
  User,
} from '@lifeline/protocol';

export type { ClientConfig };

export type ApiResult<T> =
  | { ok: true; value: T }
  | { ok: false; status: number; code: ErrorCode | 'NETWORK'; message: string; retryAfterSec?: number };

let onUnauthorized: () => void = () => {};
/** Called when a request is refused for want of a (valid) session, e.g. after it expired. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

/**
 * JSON over the server's HttpOnly session cookie (same origin), so neither fetch nor the
 * socket handshake needs the token in script. 204 → null. Shared by the console and the role pages.
 */
export async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown, idempotent = false): Promise<ApiResult<T>> {
  let res: Response;
  const text = body === undefined ? null : JSON.stringify(body);
  const key = idempotent ? submissionKey(`${path}\n${text ?? ''}`) : null;
  try {
    res = await fetch(path, {
      method,
      headers: { ...(text === null ? {} : { 'content-type': 'application/json' }), ...(key ? { 'idempotency-key': key.value } : {}) },
      body: text,
    });
  } catch (err) {
    return { ok: false, status: 0, code: 'NETWORK', message: String(err) };
  }
  // An answer (success or a refusal) ends the submission; a lost answer or 5xx keeps its key for the retry.
  if (key && res.status < 500) key.settle();
  const data: unknown = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.ok) return { ok: true, value: data as T };
  const e = (data ?? {}) as { code?: ErrorCode; message?: string };
  if (res.status === 401 && !path.startsWith('/api/auth/')) onUnauthorized();
  const retryAfter = Number(res.headers.get('retry-after'));
  return { ok: false, status: res.status, code: e.code ?? 'INTERNAL', message: e.message ?? res.statusText, ...(retryAfter > 0 ? { retryAfterSec: retryAfter } : {}) };
}

/**
 * Idempotency-Key of a command submission: a new one per submission, the same one when the
 * dispatcher submits the very same thing again after a lost answer (network error, 5xx), so the
 * server answers the retry with the first outcome and never takes a call twice.
 */
const pendingKeys = new Map<string, string>();
function submissionKey(fingerprint: string): { value: string; settle(): void } {
  let value = pendingKeys.get(fingerprint);
  if (!value) {
    // getRandomValues also works outside secure contexts (a console opened over plain http on the LAN).
    value = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    pendingKeys.set(fingerprint, value);
  }
  return { value, settle: () => pendingKeys.delete(fingerprint) };
}

export const api = {
  config: () => request<ClientConfig>('GET', '/api/config'),
  me: () => request<User>('GET', '/api/auth/me'),
  login: (body: LoginBody) => request<LoginResponse>('POST', '/api/auth/login', body),
  logout: () => request<null>('POST', '/api/auth/logout'),
  hospitals: () => request<Hospital[]>('GET', '/api/hospitals'),
  createIncident: (body: CreateIncidentBody) => request<CreateIncidentResponse>('POST', '/api/incidents', body, true),
  recommendations: (id: string) => request<{ recommendations: Recommendation[] }>('GET', `/api/incidents/${encodeURIComponent(id)}/recommendations`),
  incident: (id: string) => request<Incident>('GET', `/api/incidents/${enc(id)}`),
  assign: (id: string, body: AssignBody) => request<AssignResponse>('POST', `/api/incidents/${enc(id)}/assign`, body, true),
  reassign: (id: string, body: AssignBody) => request<AssignResponse>('POST', `/api/incidents/${enc(id)}/reassign`, body, true),
  cancel: (id: string, reason?: string) => request<Incident>('POST', `/api/incidents/${enc(id)}/cancel`, reason ? { reason } : {}, true),
  close: (id: string, reason?: string) => request<Incident>('POST', `/api/incidents/${enc(id)}/close`, reason ? { reason } : {}, true),
  changeDestination: (id: string, body: ChangeDestinationBody) => request<Incident>('POST', `/api/incidents/${enc(id)}/destination`, body, true),
  merge: (id: string, intoIncidentId: string) => request<Incident>('POST', `/api/incidents/${enc(id)}/merge`, { intoIncidentId }),
  timeline: (id: string) => request<TimelineEvent[]>('GET', `/api/incidents/${enc(id)}/timeline`),
  route: (id: string) => request<UnitRoute>('GET', `/api/incidents/${enc(id)}/route`),
  /** `nearParam`: "" or "&near=lat,lng". */
  geocode: (q: string, nearParam = '') => request<GeocodeResult[]>('GET', `/api/geocode?q=${enc(q)}${nearParam}`),
  caller: (phone: string) => request<Caller>('GET', `/api/callers/${enc(phone.trim())}`),
  flagCaller: (phone: string, flagged: boolean, reason?: string) =>
    request<Caller>('POST', `/api/callers/${enc(phone.trim())}/flag`, reason ? { flagged, reason } : { flagged }),
};

const enc = encodeURIComponent;

/** A query string (without `?`) from plain values. */
export const q = (params: Record<string, string | number>): string => new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
