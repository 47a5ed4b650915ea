import type {
  AssignBody,
  CreateIncidentBody,
  CreateIncidentResponse,
  ErrorCode,
  Hospital,
  Incident,
  LatLng,
  LoginBody,
  LoginResponse,
  Recommendation,
  User,
} from '@lifeline/protocol';

/** GET /api/config. Not (yet) a protocol schema: see the note to the server team. */
export interface ClientConfig {
  mapStyleUrl: string | null;
  center: LatLng;
}

export type ApiResult<T> =
  | { ok: true; value: T }
  | { ok: false; status: number; code: ErrorCode | 'NETWORK'; message: string };

let onUnauthorized: () => void = () => {};
/** Called when a request is refused for want of a (valid) session, e.g. after it expired. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

/**
 * The session travels as the server's HttpOnly cookie (same origin), so neither fetch nor the
 * socket handshake needs the token in script.
 */
async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch (err) {
    return { ok: false, status: 0, code: 'NETWORK', message: String(err) };
  }
  const data: unknown = await res.json().catch(() => null);
  if (res.ok) return { ok: true, value: data as T };
  const e = (data ?? {}) as { code?: ErrorCode; message?: string };
  if (res.status === 401 && !path.startsWith('/api/auth/')) onUnauthorized();
  return { ok: false, status: res.status, code: e.code ?? 'INTERNAL', message: e.message ?? res.statusText };
}

export const api = {
  config: () => request<ClientConfig>('GET', '/api/config'),
  me: () => request<User>('GET', '/api/auth/me'),
  login: (body: LoginBody) => request<LoginResponse>('POST', '/api/auth/login', body),
  logout: () => request<null>('POST', '/api/auth/logout'),
  hospitals: () => request<Hospital[]>('GET', '/api/hospitals'),
  createIncident: (body: CreateIncidentBody) => request<CreateIncidentResponse>('POST', '/api/incidents', body),
  recommendations: (id: string) => request<{ recommendations: Recommendation[] }>('GET', `/api/incidents/${encodeURIComponent(id)}/recommendations`),
  assign: (id: string, body: AssignBody) =>
    request<{ incident: Incident; assignmentId: string }>('POST', `/api/incidents/${encodeURIComponent(id)}/assign`, body),
};
