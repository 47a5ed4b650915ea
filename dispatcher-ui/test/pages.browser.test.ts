/**
 * The role pages in real Chromium against the real server (embedded PostgreSQL and MQTT broker),
 * set up as dispatcher-ui/test/browser.test.ts does. A live incident is driven over REST and MQTT
 * for the hospital view; a finished incident is seeded as history (positions over MQTT, rows with
 * the server's own database handle) for the replay and the KPIs. Waits on conditions, never sleeps.
 */
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, noChromium } from '@lifeline/testing';
import mqtt, { type MqttClient } from 'mqtt';
import type { CreateIncidentResponse, CreateUserBody, Incident, TimelineEvent } from '@lifeline/protocol';
import type { ReplayTestHooks } from '../src/pages/replay/testHooks.ts';
import { builtUi } from './buildUi.ts';
import { createUser, loadConfig, startServer, type LifelineServer } from './lifelineServer.ts';

const UI_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = path.join(UI_ROOT, 'test-artifacts');
const PREFIX = 'lifeline/v1';
const PASSWORD = 'pages-test-password-1';
const HOSPITAL_A = { id: 'bd-bvdk-tinh', lat: 10.9899, lng: 106.6615 };
const HOSPITAL_B = { id: 'bd-becamex', lat: 10.9538, lng: 106.6962 };
const USERS: CreateUserBody[] = [
  { username: 'sup', displayName: 'Giám sát Test', password: PASSWORD, role: 'supervisor' },
  { username: 'nurse-a', displayName: 'Điều dưỡng A', password: PASSWORD, role: 'hospital', hospitalId: HOSPITAL_A.id },
  { username: 'nurse-b', displayName: 'Điều dưỡng B', password: PASSWORD, role: 'hospital', hospitalId: HOSPITAL_B.id },
  { username: 'root', displayName: 'Quản trị Test', password: PASSWORD, role: 'admin' },
  { username: 'crew-h2', displayName: 'Kíp H-02', password: PASSWORD, role: 'crew', vehicleId: 'H-02' },
];

/** History: a finished call 40 minutes ago, unit R-01 driving base → scene (T+300 s) → hospital A (T+900 s). */
const T = Date.now() - 40 * 60_000;
const BASE = { lat: 10.975, lng: 106.65 };
const SCENE = { lat: 10.985, lng: 106.658 };
const lerp = (a: { lat: number; lng: number }, b: { lat: number; lng: number }, f: number) => ({ lat: a.lat + (b.lat - a.lat) * f, lng: a.lng + (b.lng - a.lng) * f });
/** Where R-01 was s seconds after T (parked until T+60, then two straight legs). */
function route(s: number) {
  if (s <= 60) return BASE;
  if (s <= 300) return lerp(BASE, SCENE, (s - 60) / 240);
  return lerp(SCENE, HOSPITAL_A, Math.min(1, (s - 300) / 600));
}
/** Fix times, seconds after T: one parked, then every 30 s while driving. */
const FIX_SECONDS = [0, ...Array.from({ length: 29 }, (_, i) => 60 + i * 30)];
const HISTORY_EVENTS: [number, string, string, Record<string, unknown>][] = [
  [0, 'IncidentReceived', 'dispatcher:d1', { line: '1022', channel: 'phone' }],
  [5, 'IncidentTriaged', 'dispatcher:d1', { category: 'trauma', priority: 2 }],
  [20, 'RecommendationsShown', 'dispatcher:d1', { units: [{ vehicleId: 'R-02', etaSec: 180, distanceM: 1200, etaSource: 'straight_line' }, { vehicleId: 'R-01', etaSec: 240, distanceM: 1500, etaSource: 'straight_line' }] }],
  [40, 'UnitAssigned', 'dispatcher:d1', { vehicleId: 'R-01', reason: 'R-02 hết bình oxy' }],
  [50, 'AssignmentAcknowledged', 'unit:R-01', {}],
  [60, 'UnitEnRoute', 'unit:R-01', { vehicleId: 'R-01' }],
  [300, 'UnitOnScene', 'unit:R-01', { vehicleId: 'R-01' }],
  [600, 'PatientTransporting', 'unit:R-01', { vehicleId: 'R-01' }],
  [900, 'UnitAtHospital', 'unit:R-01', { vehicleId: 'R-01' }],
  [1000, 'IncidentClosed', 'unit:R-01', { vehicleId: 'R-01' }],
];

let tmp: string;
let server: LifelineServer;
let browser: Browser;
let bus: MqttClient;
let supToken: string;
let historyId: string;
const seqs = new Map<string, number>();
const pageErrors: string[] = [];

declare const window: Window & { __lifelineReplay: ReplayTestHooks; __seenOther?: boolean };

async function publishPosition(id: string, at: { lat: number; lng: number }, ts = Date.now()) {
  const seq = (seqs.get(id) ?? 0) + 1;
  seqs.set(id, seq);
  await bus.publishAsync(`${PREFIX}/vehicles/${id}/position`, JSON.stringify({ seq, ts, lat: at.lat, lon: at.lng, spd: 9, hdg: 0 }), { qos: 1 });
}
async function publishStatus(id: string, status: string) {
  await bus.publishAsync(`${PREFIX}/vehicles/${id}/status`, JSON.stringify({ status, ts: Date.now() }), { qos: 1 });
}

/** Polls a condition (in-process or over HTTP) until it holds. */
async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

async function rest<T>(method: 'GET' | 'POST', p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${supToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A fresh browser context (its own cookies) logged in as `username`. */
async function loginPage(username: string, hash = ''): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${username}: ${String(e)}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 401\b/.test(m.text())) pageErrors.push(`${username}: ${m.text()}`);
  });
  await page.goto(`${server.url}/?capture${hash}`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('form.login', { state: 'detached' });
  return page;
}

/** A live call near `scene`, assigned to `unit`; returns the incident as assigned. */
async function liveCall(scene: { lat: number; lng: number }, unit: string, notes: string): Promise<Incident> {
  const created = await rest<CreateIncidentResponse>('POST', '/api/incidents', { line: '115', callerPhone: '0909 111 222', location: scene, category: 'cardiac', priority: 1, notes });
  await rest('GET', `/api/incidents/${created.incident.id}/recommendations`);
  return (await rest<{ incident: Incident }>('POST', `/api/incidents/${created.incident.id}/assign`, { vehicleId: unit })).incident;
}

/** Seeds the finished call: R-01's fixes over MQTT (device time in the past), then its rows. */
async function seedHistory(): Promise<string> {
  for (const s of FIX_SECONDS) await publishPosition('R-01', route(s), T + s * 1000);
  const db = server.db;
  await until(async () => {
    const rows = (await db.selectFrom('vehicle_positions').select('seq').where('vehicle_id', '=', 'R-01').execute()) as unknown[];
    return rows.length === FIX_SECONDS.length;
  }, 'R-01 history stored');
  const at = (s: number) => new Date(T + s * 1000);
  const { id } = (await db
    .insertInto('incidents')
    .values({ line: '1022', caller_phone: '0903 000 111', lat: SCENE.lat, lng: SCENE.lng, address: 'Phú Cường, Thủ Dầu Một', category: 'trauma', priority: 2, notes: 'Ngã xe máy', state: 'closed', vehicle_id: 'R-01', hospital_id: HOSPITAL_A.id, created_at: at(0), updated_at: at(1000) })
    .returning('id')
    .executeTakeFirstOrThrow()) as { id: string };
  await db.insertInto('assignments').values({ incident_id: id, vehicle_id: 'R-01', assigned_by: 'dispatcher:d1', reason: 'R-02 hết bình oxy', assigned_at: at(40), acked_at: at(50), ended_at: at(1000) }).execute();
  await db
    .insertInto('incident_events')
    .values(HISTORY_EVENTS.map(([s, type, actor, data]) => ({ incident_id: id, ts: at(s), type, actor, data: JSON.stringify(data) })))
    .execute();
  return id;
}

describe.skipIf(noChromium())('role pages in Chromium against the real server', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'lifeline-pages-'));
    await chmod(tmp, 0o755);
    await mkdir(ARTIFACTS, { recursive: true });
    const t0 = Date.now();
    const uiDir = await builtUi(tmp);
    const t1 = Date.now();
    const cfg = loadConfig({ MQTT_AUTH: '0', PORT: '0', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'data'), LOG_LEVEL: 'warn', SEED_DEMO: '1', SILENT_AFTER_SEC: '3600', ACK_TIMEOUT_SEC: '600' });
    server = await startServer(cfg, { uiDir });
    const t2 = Date.now();
    for (const u of USERS) {
      const r = await createUser(server.db, u);
      if (!r.ok) throw new Error(`createUser ${u.username}: ${r.message}`);
    }
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'sup', password: PASSWORD }) });
    supToken = ((await login.json()) as { token: string }).token;

    bus = await mqtt.connectAsync(server.mqttUrl, { clientId: 'pages-test-fleet', protocolVersion: 4 });
    // H-01 waits next to hospital A's district, H-02 next to hospital B's.
    await publishPosition('H-01', { lat: 10.995, lng: 106.668 }, Date.now() - 60_000);
    await publishPosition('H-02', { lat: 10.957, lng: 106.69 }, Date.now() - 60_000);
    for (const id of ['H-01', 'H-02']) await publishStatus(id, 'available');
    await until(() => ['H-01', 'H-02'].every((id) => server.fleet.view(id)?.status === 'available'), 'units available');
    const t3 = Date.now();
    historyId = await seedHistory();
    console.info(`setup: build ${t1 - t0} ms, server ${t2 - t1} ms, users+units ${t3 - t2} ms, history ${Date.now() - t3} ms`);

    browser = await launchChromium();
  });

  afterAll(async () => {
    // The temporary folder goes whatever failed before (a failed suite must not leave it in /tmp).
    try {
      await browser?.close().catch(() => undefined);
      await bus?.endAsync().catch(() => undefined);
      await server?.stop();
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  });

  it("hospital view: a case heading here with a live ETA, arrival and handover on the timeline, never another hospital's case", async () => {
    const nurseA = await loginPage('nurse-a');
    await nurseA.waitForSelector('.hospital-page .ed-status .ed-now');
    const nurseB = await loginPage('nurse-b');
    await nurseB.waitForSelector('.hospital-page .ed-status .ed-now');
    // Sound on (a click: browsers play sound only after one), before the case exists.
    await nurseA.click('button[name=sound][aria-pressed=false]');
    await nurseA.waitForSelector('button[name=sound][aria-pressed=true]');

    const mine = await liveCall({ lat: 10.992, lng: 106.664 }, 'H-01', 'Đau ngực, vã mồ hôi');
    expect(mine.hospitalId).toBe(HOSPITAL_A.id);
    const card = `.case[data-incident-id="${mine.id}"]`;
    await nurseA.waitForSelector(card);
    // It arrived while the screen was open: flagged new, counted in the tab title, chimed once.
    await nurseA.waitForSelector(`${card}.new button[name=seen]`);
    expect(await nurseA.title()).toMatch(/^\(1\) /);
    await nurseA.waitForSelector('button[name=sound][data-chimes="1"]');
    await nurseA.screenshot({ path: path.join(ARTIFACTS, 'hospital-new-case.png') });
    await nurseA.click(`${card} button[name=seen]`);
    await nurseA.waitForSelector(`${card}:not(.new)`);
    expect(await nurseA.title()).not.toMatch(/^\(\d+\) /);
    const text = await nurseA.textContent(card);
    expect(text).toContain(`#${mine.number}`);
    expect(text).toContain('H-01');
    expect(text).toContain('Tim mạch');
    expect(text).toContain('Đau ngực, vã mồ hôi');
    expect(await nurseA.textContent(`${card} .case-eta .eta`)).toMatch(/^\d\d:\d\d$/);
    expect(Number(await nurseA.getAttribute(`${card} .case-eta`, 'data-eta-sec'))).toBeGreaterThan(0);
    // Not yet transporting: the buttons wait.
    expect(await nurseA.isDisabled(`${card} button[name=handover]`)).toBe(true);

    // Another hospital's case: A's page is watched, from before that case exists, for any case but its own.
    await nurseA.evaluate((own) => {
      window.__seenOther = false;
      const check = () => {
        for (const el of document.querySelectorAll<HTMLElement>('.case')) if (el.dataset.incidentId !== own) window.__seenOther = true;
      };
      new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true });
    }, mine.id);
    const other = await liveCall({ lat: 10.952, lng: 106.693 }, 'H-02', 'Khó thở');
    expect(other.hospitalId).toBe(HOSPITAL_B.id);
    await nurseB.waitForSelector(`.case[data-incident-id="${other.id}"]`);

    // The unit drives: en route, on scene, transporting; A's page follows within a push or two.
    for (const s of ['en_route', 'on_scene', 'transporting']) {
      await publishStatus('H-01', s);
      await until(async () => (await rest<Incident>('GET', `/api/incidents/${mine.id}`)).state === s, `incident ${s}`);
    }
    await publishPosition('H-01', { lat: 10.9905, lng: 106.663 });
    await nurseA.waitForSelector(`${card}[data-state="transporting"] button[name=arrival]:not([disabled])`);
    await nurseA.screenshot({ path: path.join(ARTIFACTS, 'hospital.png') });
    await nurseA.click(`${card} button[name=arrival]`);
    await nurseA.waitForSelector(`${card} .done-label`);
    await nurseA.click(`${card} button[name=handover]`);
    await nurseA.waitForFunction((sel) => document.querySelectorAll(`${sel} .done-label`).length === 2, card);

    const timeline = await rest<TimelineEvent[]>('GET', `/api/incidents/${mine.id}/timeline`);
    const types = timeline.map((e) => e.type);
    expect(types).toContain('ArrivalConfirmed');
    expect(types).toContain('PatientHandedOver');
    expect(timeline.find((e) => e.type === 'PatientHandedOver')!.actor).toBe('hospital:nurse-a');

    // Several pushes later (every 2 s) A has still never been shown B's case.
    const before = await nurseA.textContent('.cases-head .muted');
    await nurseA.waitForFunction((b) => document.querySelector('.cases-head .muted')?.textContent !== b, before, { timeout: 10_000 });
    expect(await nurseA.evaluate(() => window.__seenOther)).toBe(false);
    expect(await nurseA.$(`.case[data-incident-id="${other.id}"]`)).toBeNull();

    // ED status: free beds and diversion.
    await nurseA.fill('input[name=edCapacity]', '3');
    await nurseA.check('input[name=diversion]');
    await nurseA.click('.ed-status button[type=submit]');
    await nurseA.waitForSelector('.ed-now[data-diversion="true"]');
    const hospitals = await rest<{ id: string; edCapacity: number | null; diversion: boolean }[]>('GET', '/api/hospitals');
    expect(hospitals.find((h) => h.id === HOSPITAL_A.id)).toMatchObject({ edCapacity: 3, diversion: true });
    await nurseA.screenshot({ path: path.join(ARTIFACTS, 'hospital-after.png') });
    await nurseA.context().close();
    await nurseB.context().close();
  });

  it('replay of a finished incident: the recorded track, the unit where it was, and the event at the scrubbed time', async () => {
    const page = await loginPage('sup', '#replay');
    await page.waitForFunction(() => !!window.__lifelineReplay);
    await page.waitForSelector(`select[name=incident] option[value="${historyId}"]`, { state: 'attached' });
    await page.selectOption('select[name=incident]', historyId);
    await page.click('button[name=load]');
    await page.waitForSelector('.replay-side[data-loaded="true"]');
    await page.waitForFunction(() => window.__lifelineReplay.renderedTracks().includes('R-01'));
    expect(await page.$$eval('.events .event', (els) => els.length)).toBe(HISTORY_EVENTS.length);
    // Starts at the call.
    expect(await page.evaluate(() => window.__lifelineReplay.timeMs())).toBe(T);

    // Clicking an event seeks to it: the unit is drawn on its recorded fix at that time.
    await page.click('.events .event[data-type="UnitOnScene"]');
    await page.waitForSelector('.events .event.current[data-type="UnitOnScene"]');
    const near = (want: { lat: number; lng: number }) =>
      page.waitForFunction(
        ([lat, lng]) => {
          const u = window.__lifelineReplay.renderedUnits().find((x) => x.id === 'R-01');
          return !!u && Math.abs(u.lat - lat!) < 1e-4 && Math.abs(u.lng - lng!) < 1e-4;
        },
        [want.lat, want.lng],
      );
    await near(SCENE);

    // Scrubbing to between two fixes: interpolated, and the event list follows.
    const scrub = (ms: number) =>
      page.$eval(
        'input[name=t]',
        (el, v) => {
          (el as HTMLInputElement).value = String(v);
          el.dispatchEvent(new Event('input', { bubbles: true }));
        },
        ms,
      );
    await scrub(T + 645_000);
    await near(lerp(route(630), route(660), 0.5));
    await page.waitForSelector('.events .event.current[data-type="PatientTransporting"]');
    expect(await page.$$eval('.events .event.past', (els) => els.length)).toBe(8);
    await page.evaluate(() => window.__lifelineReplay.idle());
    await page.screenshot({ path: path.join(ARTIFACTS, 'replay.png') });

    // The recommendation audit: R-01 was second, with the reason.
    const audit = await page.textContent('.audit li.overrode[data-vehicle-id="R-01"]');
    expect(audit).toContain('hạng 2/2');
    expect(audit).toContain('R-02 hết bình oxy');

    // Play at 60× from just before the unit reaches the hospital: the clock runs and the list follows.
    await scrub(T + 880_000);
    await page.waitForSelector('.events .event.current[data-type="PatientTransporting"]');
    await page.selectOption('select[name=speed]', '60');
    await page.click('button[name=play]');
    await page.waitForSelector('.events .event.current[data-type="UnitAtHospital"]', { timeout: 15_000 });
    await page.click('button[name=play]'); // pause
    await near(HOSPITAL_A);

    // Any window and area: the same history, found by time and the map view (fitted to the track).
    await page.click('label.chip:has(input[value=area])');
    const local = (ms: number) => page.evaluate((m) => new Date(m - new Date(m).getTimezoneOffset() * 60_000).toISOString().slice(0, 16), ms);
    await page.fill('input[name=from]', await local(T - 60_000));
    await page.fill('input[name=to]', await local(T + 1_200_000));
    await page.click('button[name=load]');
    await page.waitForFunction((n) => document.querySelectorAll('.events .event').length === n && document.querySelector('.replay-units li[data-unit-id="R-01"]'), HISTORY_EVENTS.length);
    await page.waitForFunction(() => window.__lifelineReplay.renderedTracks().includes('R-01'));
    await page.context().close();
  });

  it('KPI page: groups, charts and table; the CSV link downloads CSV', async () => {
    const page = await loginPage('sup', '#kpi');
    await page.waitForSelector('.kpi-cards .card[data-interval="response"]');
    // Grouped by line: the seeded 1022 call and the live 115 calls.
    await page.waitForSelector('.chart[data-interval="response"] .bar[data-group=\'{"line":"1022"}\']');
    expect(await page.$$eval('.kpi-table tbody tr', (els) => els.map((e) => e.querySelector('th')?.textContent))).toEqual(['1022', '115']);
    // The seeded call: 300 s call → on scene (target 900 s): met.
    expect(await page.getAttribute('.chart[data-interval="response"] .bar[data-group=\'{"line":"1022"}\']', 'data-p90')).toBe('300');
    expect(await page.getAttribute('.chart[data-interval="response"] .bar[data-group=\'{"line":"1022"}\']', 'class')).toContain('v-ok');
    await page.screenshot({ path: path.join(ARTIFACTS, 'kpi.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.csv')]);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('line,calls,cancelled,merged,waiting,completed,interval,n,mean_s,median_s,p90_s,target_s,within_target');
    expect(lines.some((l) => l.startsWith('1022,1,0,0,0,1,response,1,300,300,300,900,1'))).toBe(true);

    // English, with the locale's formats.
    await page.click('.tabbar .lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    expect(await page.textContent('.kpi-query h2')).toBe('Performance');
    expect(await page.textContent('.kpi-cards .card[data-interval="response"]')).toContain('within target');
    await page.screenshot({ path: path.join(ARTIFACTS, 'kpi-en.png') });
    await page.click('.tabbar .lang');

    // The supervisor's dispatch tab is the dispatcher screen, sized once shown (it was hidden at load).
    await page.click('.tabbar button[data-tab="dispatch"]');
    await page.waitForSelector('.tab-page[data-tab="dispatch"] .app .map canvas');
    const box = await page.$eval('.tab-page[data-tab="dispatch"] .map canvas', (c) => ({ w: (c as HTMLCanvasElement).clientWidth, h: (c as HTMLCanvasElement).clientHeight }));
    expect(box.w).toBeGreaterThan(600);
    expect(box.h).toBeGreaterThan(500);
    await page.screenshot({ path: path.join(ARTIFACTS, 'supervisor-dispatch.png') });
    await page.context().close();
  });

  it('admin page: lists users, creates one, issues a unit MQTT password once', async () => {
    const page = await loginPage('root', '#admin');
    await page.waitForSelector('.users-table tr[data-username="nurse-a"]');
    await page.fill('.user-form input[name=username]', 'dispatcher2');
    await page.fill('.user-form input[name=displayName]', 'Điều phối viên 2');
    await page.fill('.user-form input[name=password]', 'another-password-2');
    await page.click('.user-form button[type=submit]');
    await page.waitForSelector('.users-table tr[data-username="dispatcher2"]');
    page.once('dialog', (d) => void d.accept());
    await page.fill('input[name=credUnit]', 'H-01');
    await page.click('.admin-creds button[type=submit]');
    const secret = await page.waitForSelector('.secret code[data-secret="password"]');
    expect((await secret.textContent())!.length).toBeGreaterThanOrEqual(12);
    await page.screenshot({ path: path.join(ARTIFACTS, 'admin.png') });
    await page.context().close();
  });

  it("crew page: shows its own unit's job", async () => {
    const incidentId = server.fleet.view('H-02')?.incidentId ?? null;
    const page = await loginPage('crew-h2');
    await page.waitForSelector('.crew-page .crew-job');
    if (incidentId) await page.waitForSelector(`.crew-job dl[data-incident-id="${incidentId}"]`);
    else await page.waitForSelector('.crew-job .empty');
    await page.screenshot({ path: path.join(ARTIFACTS, 'crew.png') });
    await page.context().close();
  });

  it('logged no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
