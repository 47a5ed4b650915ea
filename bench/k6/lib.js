// Shared helpers for the Lifeline k6 scripts. k6 runs ES modules in its own JS runtime (not Node):
// only k6/* modules and relative imports are available here.
import http from 'k6/http';
import { check, fail } from 'k6';

export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');

/**
 * Logs in once (from setup()) and returns the session token every VU sends as `Authorization: Bearer`.
 * The user must exist: create a dispatcher on the server under test first (see bench/README.md).
 */
export function login() {
  const username = __ENV.LIFELINE_USER;
  const password = __ENV.LIFELINE_PASSWORD;
  if (!username || !password) fail('set LIFELINE_USER and LIFELINE_PASSWORD (a dispatcher account on the server under test)');
  const res = http.post(`${BASE_URL}/api/auth/login`, JSON.stringify({ username, password }), {
    headers: { 'content-type': 'application/json' },
    tags: { name: 'login' },
  });
  if (!check(res, { 'login 200': (r) => r.status === 200 })) fail(`login failed: ${res.status} ${res.body}`);
  return res.json('token');
}

/** A call somewhere in the demo area (Thủ Dầu Một ± 0.25°), like the Node benchmark sends. */
export function randomCall(i) {
  const categories = ['cardiac', 'trauma', 'respiratory', 'stroke'];
  return {
    line: '115',
    callerPhone: `09${String(10000000 + (i % 89999999)).slice(-8)}`,
    location: { lat: 10.98 + (Math.random() - 0.5) * 0.5, lng: 106.65 + (Math.random() - 0.5) * 0.5 },
    category: categories[i % categories.length],
    priority: 1 + (i % 3),
  };
}
