import type { FastifyRequest } from 'fastify';

/**
 * Path parameters that carry personal data (Decree 13/2023): a caller's phone number. Their
 * values never reach a log line.
 */
const PERSONAL_PARAMS = new Set(['phone']);
/** In paths no route matched: runs of digits long enough to be a phone number. */
const DIGIT_RUN = /\d[\d .()-]{5,}\d/g;

/**
 * The request's URL as it may be logged: the matched route with personal parameters masked
 * (`/api/callers/***`), other parameters kept (incident ids help debugging), and only the names of
 * query parameters (a geocode query or a search may be an address). Total: any URL gives a string.
 */
export function loggedUrl(req: Pick<FastifyRequest, 'url' | 'params'> & { routeOptions?: { url?: string | undefined } }): string {
  const raw = typeof req.url === 'string' ? req.url : '';
  const q = raw.indexOf('?');
  const keys = q < 0 ? [] : [...new Set(raw.slice(q + 1).split('&').map((kv) => kv.split('=')[0]!).filter(Boolean))];
  const query = keys.length ? `?${keys.map((k) => k.slice(0, 40).replace(DIGIT_RUN, '***')).join('&')}` : '';
  const pattern = req.routeOptions?.url;
  if (!pattern) return (q < 0 ? raw : raw.slice(0, q)).replace(DIGIT_RUN, '***').slice(0, 200) + query;
  const params = (req.params && typeof req.params === 'object' ? req.params : {}) as Record<string, unknown>;
  const path = pattern.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => (PERSONAL_PARAMS.has(name) ? '***' : String(params[name] ?? `:${name}`).slice(0, 80)));
  return path + query;
}

/** pino serializer for `req` in log lines: method and the redacted URL, no headers or body. */
export function requestSerializer(req: FastifyRequest): { method: string; url: string } {
  return { method: req.method, url: loggedUrl(req) };
}
