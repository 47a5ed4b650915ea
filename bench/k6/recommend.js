// k6 version of bench/scenarios/recommend.ts: call → recommendation over HTTP under concurrent
// load, beside the server's HTTP + auth floor (GET /api/config) in the same run.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e LIFELINE_USER=dispatcher1 -e LIFELINE_PASSWORD='…' bench/k6/recommend.js
//   k6 run -e VUS=50 -e DURATION=30s … bench/k6/recommend.js
//
// Every POST creates a real incident (and its timeline events): run it against a test database.
// The thresholds are the goal (call → recommendation p99 < 50 ms); k6 exits non-zero when missed.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { BASE_URL, login, randomCall } from './lib.js';

const VUS = Number(__ENV.VUS || 10);
const DURATION = __ENV.DURATION || '10s';
const noRecommendation = new Counter('calls_without_recommendation');

export const options = {
  scenarios: {
    // Baseline first, then the call path, so they do not compete for the server.
    baseline: { executor: 'constant-vus', exec: 'baseline', vus: VUS, duration: DURATION },
    calls: { executor: 'constant-vus', exec: 'call', vus: VUS, duration: DURATION, startTime: DURATION },
  },
  thresholds: {
    'http_req_duration{scenario:calls}': ['p(99)<50'],
    'http_req_failed{scenario:calls}': ['rate==0'],
    'http_req_duration{scenario:baseline}': ['p(99)<1000'], // reported beside the call path, not a goal
  },
  summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max'],
};

export function setup() {
  return { token: login() };
}

export function baseline(data) {
  const res = http.get(`${BASE_URL}/api/config`, { headers: { authorization: `Bearer ${data.token}` }, tags: { name: 'GET /api/config' } });
  check(res, { 'config 200': (r) => r.status === 200 });
}

export function call(data) {
  const body = JSON.stringify(randomCall(__VU * 100000 + __ITER));
  const res = http.post(`${BASE_URL}/api/incidents`, body, {
    headers: { authorization: `Bearer ${data.token}`, 'content-type': 'application/json' },
    tags: { name: 'POST /api/incidents' },
  });
  const ok = check(res, { 'incident 201': (r) => r.status === 201 });
  if (ok && !(res.json('recommendations') || []).length) noRecommendation.add(1);
}
