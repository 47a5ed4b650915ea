/**
 * Errors that mean "the database cannot answer now" (down, frozen, overloaded, restarting), as
 * opposed to a bug or a refused row: the request fails fast with 503 DATABASE_UNAVAILABLE and can
 * be retried (with its Idempotency-Key) once PostgreSQL is back.
 */
const UNAVAILABLE_SQLSTATES = new Set([
  '57014', // query_canceled: statement_timeout
  '25P03', // idle_in_transaction_session_timeout
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, recovering)
  '53300', // too_many_connections
  '53000', // insufficient_resources
]);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
// pg and pg-pool report their own timeouts and lost connections by message only.
const UNAVAILABLE_MESSAGES = [/timeout exceeded when trying to connect/i, /Query read timeout/i, /Connection terminated/i, /Client has encountered a connection error/i];

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof e.code === 'string') {
    if (UNAVAILABLE_SQLSTATES.has(e.code) || UNAVAILABLE_NODE_CODES.has(e.code)) return true;
    if (e.code.startsWith('08')) return true; // connection_exception class
  }
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((r) => r.test(e.message as string))) return true;
  return e.cause !== undefined && e.cause !== err && isDatabaseUnavailable(e.cause);
}
