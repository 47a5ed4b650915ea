import type { ErrorCode } from '@lifeline/protocol';

export type Result<T> = { ok: true; value: T } | { ok: false; status: number; code: ErrorCode | 'NETWORK'; message: string };

let onUnauthorized: () => void = () => {};
/** The role pages' requests report a lost session here (the login screen comes back). */
export function setPagesUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

/** JSON over the session cookie (same origin). 204 → null. */
export async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Result<T>> {
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
  const data: unknown = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.ok) return { ok: true, value: data as T };
  if (res.status === 401) onUnauthorized();
  const e = (data ?? {}) as { code?: ErrorCode; message?: string };
  return { ok: false, status: res.status, code: e.code ?? 'INTERNAL', message: e.message ?? res.statusText };
}

export const q = (params: Record<string, string | number>): string => new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
