/**
 * The dispatcher page in real Chromium against the real server (embedded PostgreSQL, embedded
 * MQTT broker), with units driven over MQTT: three scripted units, then the real simulated fleet
 * (`@lifeline/vehicle-agent`), which acknowledges and drives its assignments. Everything waits on
 * conditions, never on sleeps. Screenshots go to dispatcher-ui/test-artifacts/ (not asserted).
 */
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromiumContext, noChromium } from '@lifeline/testing';
import mqtt, { type MqttClient } from 'mqtt';
import { startSimulatedFleet, type SimulatedFleet } from '@lifeline/vehicle-agent';
import type { LifelineTestHooks } from '../src/map/testHooks.ts';
import { buildUi } from './buildUi.ts';
import { loadConfig, startServer, type LifelineServer } from './lifelineServer.ts';

const DISPATCHER = { username: 'ui-test-dispatcher', password: 'ui-test-password-1' };

/**
 * When the server asks for a login, creates a dispatcher. There is no public way to make the first
 * user yet, so this borrows the server's own repository function, as the server's tests do.
 * Returns false when the server has no login at all.
 */
async function ensureDispatcher(s: LifelineServer): Promise<boolean> {
  const me = await fetch(`${s.url}/api/auth/me`);
  if (me.status !== 401) return false;
  const users = (await import('../../server/src/adapters/store/users.ts' as string)) as {
    createUser(db: unknown, body: { username: string; displayName: string; password: string; role: 'dispatcher' }): Promise<{ ok: boolean }>;
  };
  await users.createUser(s.db, { ...DISPATCHER, displayName: 'Điều phối viên Test', role: 'dispatcher' });
  return true;
}

const UI_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = path.join(UI_ROOT, 'test-artifacts');
const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
const PREFIX = 'lifeline/v1';

/** Three units around Thủ Dầu Một (the server's demo centre is 10.98, 106.65). */
const UNITS = {
  'BD-01': { lat: 10.985, lng: 106.655 },
  'BD-02': { lat: 10.968, lng: 106.638 },
  'BD-03': { lat: 10.993, lng: 106.672 },
} as const;

let tmp: string;
let dataDir: string;
let uiDir: string;
let server: LifelineServer;
let context: BrowserContext;
let page: Page;
let bus: MqttClient;
let fleet: SimulatedFleet | null = null;
const seqs = new Map<string, number>();
const pageErrors: string[] = [];

declare const window: Window & { __lifeline: LifelineTestHooks };

async function start(port = '0'): Promise<LifelineServer> {
  const cfg = loadConfig({ MQTT_AUTH: '0', PORT: port, MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', SEED_DEMO: '1', SILENT_AFTER_SEC: '600', ACK_TIMEOUT_SEC: '2', STUCK_DISPATCHED_SEC: '10' });
  return startServer(cfg, { uiDir });
}

/**
 * Publishes a fix. The server refuses physically implausible jumps (over 250 km/h between two
 * fixes), so the first fixes are dated five minutes back: the test's moves of a kilometre or so
 * then read as normal driving.
 */
async function publishPosition(id: string, at: { lat: number; lng: number }, hdg?: number, ts = Date.now()) {
  const seq = (seqs.get(id) ?? 0) + 1;
  seqs.set(id, seq);
  const msg = { seq, ts, lat: at.lat, lon: at.lng, spd: 8, ...(hdg === undefined ? {} : { hdg }) };
  await bus.publishAsync(`${PREFIX}/vehicles/${id}/position`, JSON.stringify(msg), { qos: 1 });
}

async function publishStatus(id: string, status: string) {
  await bus.publishAsync(`${PREFIX}/vehicles/${id}/status`, JSON.stringify({ status, ts: Date.now() }), { qos: 1 });
}

/** Polls a server-side condition (the in-process fleet), without fixed sleeps between checks. */
async function until(cond: () => boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** Runs `fn` on the page's test hooks (`window.__lifeline`); `fn` must use nothing but its argument. */
const hooks = <T>(fn: (h: LifelineTestHooks) => T | Promise<T>): Promise<T> =>
  page.evaluate(async (src) => (0, eval)(src)(window.__lifeline), fn.toString()) as Promise<T>;

async function createIncidentByClick(at: { lat: number; lng: number }, phone: string, category: string, priority: string) {
  const px = await page.evaluate(([lat, lng]) => window.__lifeline.project(lat!, lng!), [at.lat, at.lng]);
  await page.mouse.click(px.x, px.y);
  await page.waitForFunction(() => (document.querySelector<HTMLInputElement>('input[name=location]')?.value ?? '') !== '', undefined, { timeout: 10_000 }).catch(async (e: unknown) => {
    // A click that landed on a unit or a pin selects it instead: say what was under the mouse.
    await shot('failed-map-click');
    const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.outerHTML.slice(0, 120) ?? 'nothing', [px.x, px.y]);
    throw new Error(`the map click at ${px.x},${px.y} placed no call (under it: ${hit}): ${String(e)}`);
  });
  await page.fill('input[name=callerPhone]', phone);
  await page.selectOption('select[name=category]', category);
  await page.selectOption('select[name=priority]', priority);
  await page.fill('input[name=address]', 'Đại lộ Bình Dương, Thủ Dầu Một');
  await page.click('form.intake button[type=submit]');
  const section = await page.waitForSelector('section.recs[data-incident-id]');
  await page.waitForSelector('section.recs li[role=option]');
  return (await section.getAttribute('data-incident-id'))!;
}

describe.skipIf(noChromium())('dispatcher page in Chromium against the real server', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'lifeline-ui-'));
    await mkdir(ARTIFACTS, { recursive: true });
    // As root, embedded PostgreSQL runs as 'postgres', which must be able to reach its data dir.
    await chmod(tmp, 0o755);
    dataDir = path.join(tmp, 'data');
    // Built first: the server decides at start whether it has a UI folder to serve.
    // LIFELINE_UI_DIST=<folder> reuses a build made with `vite build --outDir <folder>` (faster reruns).
    uiDir = process.env.LIFELINE_UI_DIST ?? path.join(tmp, 'dist');
    if (!process.env.LIFELINE_UI_DIST) await buildUi(uiDir);
    server = await start();
    const needsLogin = await ensureDispatcher(server);

    bus = await mqtt.connectAsync(server.mqttUrl, { clientId: 'ui-test-fleet', protocolVersion: 4 });
    for (const [id, at] of Object.entries(UNITS)) {
      await publishPosition(id, at, 45, Date.now() - 5 * 60_000);
      await publishStatus(id, 'available');
    }
    await until(() => Object.keys(UNITS).every((id) => server.fleet.view(id)?.online && server.fleet.view(id)?.status === 'available'), 'units online');

    context = await launchChromiumContext(path.join(tmp, 'chromium-profile'));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      // The browser logs every refused request: the 401s of the login, the 409 of the taken unit
      // and the refused connections while the server restarts are expected; a 500 or a script
      // error is not.
      if (m.type() === 'error' && !/status of (401|409)\b|ERR_CONNECTION_REFUSED/.test(m.text())) pageErrors.push(m.text());
    });
    await page.goto(`${server.url}/?capture`);
    if (needsLogin) {
      await page.fill('input[name=username]', DISPATCHER.username);
      await page.fill('input[name=password]', 'wrong-password');
      await page.click('form.login button[type=submit]');
      await page.waitForSelector('form.login .error');
      await page.fill('input[name=password]', DISPATCHER.password);
      await page.click('form.login button[type=submit]');
    }
    await page.waitForFunction(() => window.__lifeline?.connection() === 'live');
    await hooks((h) => h.idle());
  });

  afterAll(async () => {
    // The temporary folder goes whatever failed before (a failed suite must not leave it in /tmp).
    try {
      await context?.close().catch(() => undefined);
      await fleet?.stop().catch(() => undefined);
      await bus?.endAsync().catch(() => undefined);
      await server?.stop();
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  });

  it('draws every unit reported over MQTT, and the hospitals', async () => {
    await page.waitForFunction((n) => window.__lifeline.renderedUnitIds().length === n, Object.keys(UNITS).length);
    expect(await hooks((h) => h.renderedUnitIds())).toEqual(Object.keys(UNITS).sort());
    expect(await hooks((h) => h.unitCount())).toBe(3);
    const u = await hooks((h) => h.renderedUnit('BD-01'));
    expect(u).toMatchObject({ status: 'available', online: true });
    expect(u!.lat).toBeCloseTo(UNITS['BD-01'].lat, 3);
    expect(u!.lng).toBeCloseTo(UNITS['BD-01'].lng, 3);
    await page.waitForFunction(() => window.__lifeline.hospitalCount() === 5);
    // Vietnamese by default.
    expect(await page.textContent('.topbar')).toContain('Điều phối cấp cứu');
  });

  it('moves a unit when its position changes', async () => {
    const to = { lat: 10.979, lng: 106.661 };
    await publishPosition('BD-01', to, 120);
    await page.waitForFunction(
      ([lat, lng]) => {
        const u = window.__lifeline.renderedUnit('BD-01');
        return !!u && Math.abs(u.lat - lat!) < 2e-4 && Math.abs(u.lng - lng!) < 2e-4;
      },
      [to.lat, to.lng],
    );
    expect((await hooks((h) => h.frameStats())).frames).toBeGreaterThan(1);
  });

  it('shows the call sign on hover', async () => {
    const px = await page.evaluate(() => {
      const u = window.__lifeline.renderedUnit('BD-01')!;
      return window.__lifeline.project(u.lat, u.lng);
    });
    await page.mouse.move(px.x, px.y);
    const label = await page.waitForSelector('.unit-label-body[data-unit-id="BD-01"]');
    expect(await label.textContent()).toContain('BD-01');
    expect(await label.textContent()).toContain('Sẵn sàng');
    await page.mouse.move(5, 300);
  });

  let firstIncident = '';
  it('places a call by clicking the map, shows recommendations, and assigns with Enter', async () => {
    // Sound on for the ack alert below (a click, as browsers require).
    await page.click('.topbar button[name=sound][aria-pressed=false]');
    await page.waitForSelector('.topbar button[name=sound][aria-pressed=true]');
    // Every command carries an Idempotency-Key (one per submission), so a retry cannot act twice.
    const keys: string[] = [];
    const onRequest = (r: { method(): string; url(): string; headers(): Record<string, string> }) => {
      if (r.method() === 'POST' && /\/api\/incidents(\/[^/]+\/assign)?$/.test(new URL(r.url()).pathname)) keys.push(r.headers()['idempotency-key'] ?? 'none');
    };
    page.on('request', onRequest);
    firstIncident = await createIncidentByClick({ lat: 10.976, lng: 106.664 }, '0901 234 567', 'cardiac', '1');
    const rows = await page.$$eval('section.recs li[role=option]', (els) =>
      els.map((el) => ({ id: (el as HTMLElement).dataset.vehicleId, text: el.textContent ?? '' })),
    );
    expect(rows.length).toBe(3);
    // BD-01 was moved next to the scene: it must be first.
    expect(rows[0]!.id).toBe('BD-01');
    expect(rows[0]!.text).toMatch(/\d\d:\d\d/);
    expect(rows[0]!.text).toMatch(/\d+,\d km/); // Vietnamese decimal comma
    // Keyboard first: the best unit has focus, Enter sends it.
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.vehicleId)).toBe('BD-01');
    await page.keyboard.press('Enter');

    await page.waitForFunction((id) => window.__lifeline.incidentStates()[id] === 'assigned', firstIncident);
    page.off('request', onRequest);
    expect(keys).toHaveLength(2);
    for (const k of keys) expect(k).toMatch(/^[0-9a-f]{32}$/);
    expect(keys[0]).not.toBe(keys[1]);
    await page.waitForSelector(`.incidents button[data-incident-id="${firstIncident}"][data-state="assigned"]`);
    expect(await page.textContent(`.incidents button[data-incident-id="${firstIncident}"]`)).toContain('Đã phân công');
    await page.waitForFunction((id) => window.__lifeline.renderedIncidentIds().includes(id), firstIncident);
    await page.waitForFunction(() => window.__lifeline.renderedUnit('BD-01')?.status === 'dispatched');
    await page.waitForFunction((line) => window.__lifeline.renderedAssignmentLines().includes(line), `${firstIncident}:BD-01`);
    // Nobody runs BD-01's agent here, so the server's ack timeout (2 s in this test) raises an alert.
    const alert = await page.waitForSelector('.alerts .alert');
    expect(await alert.textContent()).toMatch(/BD-01.*#1/);
    await page.waitForSelector('.topbar button[name=sound][data-chimes="1"]');
    // The way out is on the alert itself: choose another unit (re-recommend).
    await page.click('.alerts .alert button:has-text("Đổi xe")');
    await page.waitForSelector(`section.recs[data-incident-id="${firstIncident}"][data-mode="reassign"]`);
    await page.waitForSelector('.alerts .alert', { state: 'detached' });
    await page.keyboard.press('Escape');
    await page.waitForSelector('section.recs', { state: 'detached' });
  });

  it('on 409 (unit just taken) says so and refreshes the recommendations', async () => {
    const second = await createIncidentByClick({ lat: 10.972, lng: 106.645 }, '0912 345 678', 'traffic_accident', '2');
    const first = await page.$eval('section.recs li[role=option]', (el) => (el as HTMLElement).dataset.vehicleId!);
    expect(['BD-02', 'BD-03']).toContain(first);
    // Another dispatcher's world: the unit goes out of service before we click.
    await publishStatus(first, 'out_of_service');
    await until(() => server.fleet.view(first)?.status === 'out_of_service', 'unit out of service');
    await page.click(`section.recs li[data-vehicle-id="${first}"]`);
    const alert = await page.waitForSelector('section.recs .error');
    expect(await alert.textContent()).toContain(first);
    await page.waitForSelector(`section.recs li[data-vehicle-id="${first}"]`, { state: 'detached' });
    const other = await page.$eval('section.recs li[role=option]', (el) => (el as HTMLElement).dataset.vehicleId!);
    expect(other).not.toBe(first);
    await page.click(`section.recs li[data-vehicle-id="${other}"]`);
    await page.waitForFunction((id) => window.__lifeline.incidentStates()[id] === 'assigned', second);
    await page.waitForFunction((id) => window.__lifeline.renderedUnit(id)?.status === 'out_of_service', first);
  });

  // ---- with the real simulated fleet (vehicle-agent): it acknowledges and drives its jobs ----
  // While the fleet moves the map is never idle for long, so these screenshots do not wait for it.

  /** The fleet parks ~8 km east of the scripted units, within the default view (±0.065° lat). */
  const FLEET_CENTER = { lat: 11.0, lng: 106.72 };
  /** North-east of the fleet. */
  const FIRST_SCENE = { lat: 11.02, lng: 106.74 };
  /** West of the fleet, away from the first unit's drive and from the hospitals' markers. */
  const SECOND_SCENE = { lat: 10.995, lng: 106.69 };
  /** South of the fleet. */
  const THIRD_SCENE = { lat: 10.94, lng: 106.72 };
  let fleetIncident = '';
  let secondIncident = '';
  const detailTypes = () => page.$$eval('section.detail .timeline li', (els) => els.map((el) => (el as HTMLElement).dataset.type ?? ''));

  it('with the simulated fleet: a call placed by clicking is assigned and the unit acknowledges it', async () => {
    const tStart = Date.now();
    fleet = await startSimulatedFleet({
      mqttUrl: server.mqttUrl,
      prefix: PREFIX,
      count: 5,
      center: FLEET_CENTER,
      radiusKm: 2,
      seed: 11,
      idle: 'park',
      idPrefix: 'AMB',
      // 1 Hz like real units: every fix re-renders the (software-rendered) map, which slows the page.
      intervalMs: 1000,
      // 1 real second = 5 simulated seconds: acks come at once, and a unit sent 1–3 km away is on
      // its way for 20–60 real seconds, so the units do not sweep across the test's map clicks.
      timeScale: 5,
      speedKmh: 40,
    });
    const ids = fleet.ids;
    console.info(`fleet test: fleet started in ${Date.now() - tStart} ms`);
    const t0 = Date.now();
    const lap = (what: string) => console.info(`fleet test: ${what} after ${Date.now() - t0} ms`);
    await page.waitForFunction((ids) => ids.every((id) => window.__lifeline.renderedUnit(id)?.status === 'available'), ids, { timeout: 20_000 });
    lap('units on the map');

    fleetIncident = await createIncidentByClick(FIRST_SCENE, '0987 111 222', 'respiratory', '1');
    const rows = await page.$$eval('section.recs li[role=option]', (els) =>
      els.map((el) => ({ id: (el as HTMLElement).dataset.vehicleId!, source: (el as HTMLElement).dataset.etaSource, text: el.textContent ?? '' })),
    );
    // Only the fleet is available by now; each row says its status and why it ranks there.
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const r of rows) expect(ids).toContain(r.id);
    expect(rows[0]!.text).toContain('Sẵn sàng');
    expect(rows[0]!.text).toContain('đến nhanh nhất');
    expect(rows[1]!.text).toMatch(/chậm hơn \d+ giây/);
    // Digit 1 picks the first unit: no reason asked.
    lap('recommendations');
    await page.keyboard.press('1');
    await page.waitForSelector(`section.detail[data-incident-id="${fleetIncident}"]`);
    lap('assigned');
    // The simulated unit acknowledges over MQTT; the timeline and the queue show it.
    await page.waitForSelector(`section.detail .timeline li[data-type="AssignmentAcknowledged"]`, { timeout: 20_000 });
    await page.waitForFunction(
      (id) => ['acknowledged', 'en_route', 'on_scene'].includes(window.__lifeline.incidentStates()[id] ?? ''),
      fleetIncident,
    );
    lap('acknowledged');
    const types = await detailTypes();
    expect(types.indexOf('UnitAssigned')).toBeLessThan(types.indexOf('AssignmentAcknowledged'));
    // The assigned unit's route (GET …/route) is drawn on the map, with its source.
    await page.waitForFunction((prefix) => window.__lifeline.renderedRoute()?.startsWith(prefix) ?? false, `${fleetIncident}:${rows[0]!.id}:`);
    lap('route drawn');
    await shot('incident-detail');

    // Change unit while the first one drives: the detail panel's reassign opens the list again.
    await page.click(`section.detail[data-incident-id="${fleetIncident}"] button[data-action=reassign]`);
    await page.waitForSelector(`section.recs[data-mode="reassign"] li[role=option]`);
    const next = await page.$eval('section.recs li[role=option]', (el) => (el as HTMLElement).dataset.vehicleId!);
    expect(next).not.toBe(rows[0]!.id);
    await page.keyboard.press('1');
    await page.waitForSelector(`section.detail[data-incident-id="${fleetIncident}"] .timeline li[data-type="UnitReleased"]`);
    await page.waitForFunction(([id, unit]) => document.querySelector(`.incidents button[data-incident-id="${id}"]`)?.textContent?.includes(unit!) ?? false, [fleetIncident, next]);
    lap('reassigned');
  });

  it('choosing the second unit asks for a reason, which is stored with the assignment', async () => {
    secondIncident = await createIncidentByClick(SECOND_SCENE, '0977 333 444', 'fall', '2');
    const second = await page.$$eval('section.recs li[role=option]', (els) => (els[1] as HTMLElement).dataset.vehicleId!);
    await page.keyboard.press('2');
    await page.waitForSelector('section.recs form.reason input[name=reason]');
    expect(await page.textContent('section.recs form.reason')).toContain('Lý do chọn');
    // Not assigned until a reason is given.
    expect(await page.isDisabled('section.recs form.reason button[type=submit]')).toBe(true);
    await shot('reason-prompt');
    await page.keyboard.type('Xe gần cầu, tránh kẹt xe');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`section.detail[data-incident-id="${secondIncident}"]`);
    const assigned = await page.waitForSelector('section.detail .timeline li[data-type="UnitAssigned"]');
    expect(await assigned.textContent()).toContain('Xe gần cầu, tránh kẹt xe');
    await page.waitForFunction(([id, unit]) => window.__lifeline.renderedUnit(unit!)?.status !== 'available' || window.__lifeline.incidentStates()[id!] !== 'triaged', [secondIncident, second]);
  });

  it('offers a new call near an open incident of the same category as a duplicate, and merges it', async () => {
    // ~250 m south of the second scene: below its pin, within the server's 500 m.
    const dup = await createIncidentByClick({ lat: SECOND_SCENE.lat - 0.0022, lng: SECOND_SCENE.lng }, '0966 555 666', 'fall', '2');
    const offer = await page.waitForSelector(`section.recs .dups button.merge[data-into="${secondIncident}"]`);
    await shot('duplicate-offer');
    await offer.click();
    const mergedEvent = await page.waitForSelector(`section.detail[data-incident-id="${secondIncident}"] .timeline li[data-type="DuplicateMerged"]`);
    // The second caller is kept on the surviving incident.
    expect((await mergedEvent.textContent())!.replace(/\s/g, '')).toContain('0966555666');
    expect(await page.textContent('.notice')).toMatch(/Đã gộp sự cố #\d+ vào #\d+/);
    await page.waitForSelector(`.incidents button[data-incident-id="${dup}"]`, { state: 'detached' });
  });

  it('shows a caller’s history as the number is typed, flags the caller, and still takes the call; cancel from the detail panel', async () => {
    await page.keyboard.press('F2');
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'callerPhone');
    // This number called in the first test.
    await page.keyboard.type('0901 234 567');
    const caller = await page.waitForSelector('form.intake .caller[data-calls="1"]');
    expect(await caller.textContent()).toContain('Đã gọi 1 lần');
    // Flagging is its own action after the create button, confirmed in a dialog.
    await page.click('form.intake button[data-action=flag-caller]');
    await page.fill('dialog.confirm-flag input[name=flagReason]', 'Gọi đùa nhiều lần');
    await page.click('dialog.confirm-flag button[data-action=confirm-flag]');
    await page.waitForSelector('form.intake .caller[data-flagged="true"]');
    expect(await page.textContent('form.intake .caller')).toContain('Gọi đùa nhiều lần');

    const px = await page.evaluate(([lat, lng]) => window.__lifeline.project(lat!, lng!), [THIRD_SCENE.lat, THIRD_SCENE.lng]);
    await page.mouse.click(px.x, px.y);
    await page.waitForFunction(() => (document.querySelector<HTMLInputElement>('input[name=location]')?.value ?? '') !== '');
    await page.selectOption('select[name=category]', 'psychiatric');
    // Enter in a field creates the incident.
    await page.focus('input[name=address]');
    await page.keyboard.press('Enter');
    const recs = await page.waitForSelector('section.recs[data-incident-id]');
    const flaggedIncident = (await recs.getAttribute('data-incident-id'))!;
    expect(await page.textContent('section.recs [data-flagged-caller]')).toContain('vẫn được tiếp nhận');
    await page.waitForSelector(`.incidents button[data-incident-id="${flaggedIncident}"]`);

    await page.click('section.recs header button.link >> nth=0');
    await page.click(`section.detail[data-incident-id="${flaggedIncident}"] button[data-action=cancel]`);
    await page.fill('section.detail form.reason input[name=reason]', 'Cuộc gọi đùa');
    await page.click('section.detail button[data-confirm=cancel]');
    await page.waitForSelector(`section.detail[data-incident-id="${flaggedIncident}"][data-state="cancelled"]`);
    await page.waitForSelector(`section.detail .timeline li[data-type="IncidentCancelled"]`);
    await page.waitForSelector(`.incidents button[data-incident-id="${flaggedIncident}"]`, { state: 'detached' });
  });

  it('unit board: every unit, filter by status; a dispatched unit that never moved off and a stale one are highlighted', async () => {
    // A unit whose only fix is 15 minutes old (the stale threshold is SILENT_AFTER_SEC, 600 s here).
    await publishPosition('BD-09', { lat: 10.95, lng: 106.6 }, undefined, Date.now() - 15 * 60_000);
    await page.waitForSelector('.board tr[data-unit-id="BD-09"][data-stale="true"]');
    // … and drawn faded on the map (feature-state, checked every 5 s).
    await page.waitForFunction(() => window.__lifeline.renderedUnit('BD-09')?.stale === true);
    expect((await hooks((h) => h.renderedUnit('BD-01')))?.stale).toBe(false);
    const total = await hooks((h) => h.unitCount());
    await page.waitForFunction((n) => document.querySelectorAll('.board tbody tr').length === n, total);
    // BD-01 was dispatched in the first test and has no agent: past STUCK_DISPATCHED_SEC (10 s here).
    await page.waitForSelector('.board tr[data-unit-id="BD-01"][data-stuck="true"]', { timeout: 20_000 });
    await page.click('.board button[data-filter="out_of_service"]');
    const oos = await hooks((h) => h.unitsWithStatus('out_of_service'));
    expect(oos.length).toBe(1);
    await page.waitForFunction((ids) => [...document.querySelectorAll<HTMLElement>('.board tbody tr')].map((r) => r.dataset.unitId).join() === ids.join(), oos);
    await page.click('.board button[data-filter="attention"]');
    await page.waitForFunction(() => {
      const ids = [...document.querySelectorAll<HTMLElement>('.board tbody tr')].map((r) => r.dataset.unitId);
      return ids.includes('BD-01') && ids.includes('BD-09') && !ids.some((id) => id?.startsWith('AMB'));
    });
    await shot('unit-board-attention');
    await page.click('.board button[data-filter="all"]');
    await page.waitForFunction((n) => document.querySelectorAll('.board tbody tr').length === n, total);
    // The queue colours incidents waiting past the call → assignment target (60 s): none here yet,
    // but every open incident has a live timer.
    const timers = await page.$$eval('.incidents .timer', (els) => els.map((e) => e.textContent ?? ''));
    expect(timers.length).toBeGreaterThan(0);
    for (const t of timers) expect(t).toMatch(/^\d\d:\d\d$/);
    await fleet?.stop();
    fleet = null;
  });

  it('looks right (screenshot), and switches to English', async () => {
    await page.keyboard.press('F2');
    await page.waitForSelector('form.intake');
    await hooks((h) => h.idle());
    await shot('dispatcher-vi');
    await page.click('button.lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    expect(await page.textContent('.topbar')).toContain('Ambulance dispatch');
    expect(await page.textContent(`.incidents button[data-incident-id="${firstIncident}"]`)).toContain('Assigned');
    expect(await page.textContent('form.intake')).toContain('Caller phone');
    expect(await page.textContent('.board')).toContain('Unit status board');
    await hooks((h) => h.idle());
    await shot('dispatcher-en');
    await page.click('button.lang');
    await page.waitForFunction(() => document.documentElement.lang === 'vi');
  });

  it('says the data may be stale when the server goes away, and takes a fresh snapshot when it is back', async () => {
    const port = new URL(server.url).port;
    await server.stop();
    await page.waitForSelector('.banner[data-connection="offline"]');
    expect(await page.textContent('.banner')).toContain('có thể đã cũ');

    server = await start(port);
    await page.waitForFunction(() => window.__lifeline.connection() === 'live' && window.__lifeline.snapshots() === 2, undefined, { timeout: 30_000 });
    await page.waitForSelector('.banner', { state: 'detached' });
    // The new snapshot comes from the restarted server's database: same units, same incidents.
    await page.waitForFunction(() => ['BD-01', 'BD-02', 'BD-03'].every((id) => window.__lifeline.renderedUnitIds().includes(id)));
    await page.waitForFunction((id) => window.__lifeline.incidentStates()[id] === 'assigned', firstIncident);
    // And deltas flow again on the new connection.
    bus.end(true);
    bus = await mqtt.connectAsync(server.mqttUrl, { clientId: 'ui-test-fleet-2', protocolVersion: 4 });
    const to = { lat: 10.99, lng: 106.665 };
    await publishPosition('BD-03', to);
    await page.waitForFunction(
      ([lat, lng]) => {
        const u = window.__lifeline.renderedUnit('BD-03');
        return !!u && Math.abs(u.lat - lat!) < 2e-4 && Math.abs(u.lng - lng!) < 2e-4;
      },
      [to.lat, to.lng],
    );
  });

  it('keeps up with 2,000 units reporting every second', async () => {
    const N = 2000;
    // Spread over the visible map (the default view around 10.98, 106.65), so every unit is drawn.
    const box = { south: 10.93, north: 11.03, west: 106.58, east: 106.72 };
    const fleet = Array.from({ length: N }, (_, i) => ({
      id: `SIM-${String(i).padStart(4, '0')}`,
      lat: box.south + ((i * 7919) % 1000) / 1000 * (box.north - box.south),
      lng: box.west + ((i * 104729) % 997) / 997 * (box.east - box.west),
    }));
    const round = async (r: number) => {
      const ts = Date.now();
      // In slices: mqtt.js parks a 'drain' listener per publish written to a full socket, and
      // 2,000 at once trip Node's MaxListenersExceededWarning (1,000) in the test's own client.
      for (let i = 0; i < fleet.length; i += 500) {
        await Promise.all(
          fleet.slice(i, i + 500).map((u) =>
            bus.publishAsync(`${PREFIX}/vehicles/${u.id}/position`, JSON.stringify({ seq: r, ts: ts + r, lat: u.lat + r * 1e-4, lon: u.lng, spd: 10, hdg: 0 }), { qos: 0 }),
          ),
        );
      }
    };
    await round(1);
    await page.waitForFunction((n) => window.__lifeline.unitCount() >= n, N + 3, { timeout: 60_000 });
    const before = await hooks((h) => h.frameStats());
    for (let r = 2; r <= 4; r++) await round(r);
    // The last round (4e-4° north of the base positions) is on the map.
    const last = fleet[N - 1]!;
    await page.waitForFunction(
      ([id, lat]) => {
        const u = window.__lifeline.renderedUnit(id as string);
        return !!u && Math.abs(u.lat - (lat as number)) < 5e-5;
      },
      [last.id, last.lat + 4e-4],
      { timeout: 60_000 },
    );
    await page.waitForFunction((n) => window.__lifeline.renderedUnitIds().length >= n, N, { timeout: 30_000 });
    const after = await hooks((h) => h.frameStats());
    const frames = after.frames - before.frames;
    const units = after.units - before.units;
    const meanMs = (after.totalMs - before.totalMs) / Math.max(1, frames);
    console.info(`2,000 units: ${units} unit updates in ${frames} map frames, ${meanMs.toFixed(2)} ms main thread per frame (max ${after.maxMs.toFixed(1)} ms)`);
    // Merged per unit: far fewer map updates than messages, each cheap on the main thread.
    expect(units).toBeGreaterThanOrEqual(N);
    expect(frames).toBeLessThan(units / 100);
    expect(meanMs).toBeLessThan(16);
    await hooks((h) => h.idle());
    await shot('dispatcher-2000-units');
  });

  it('shows a degraded server in the connection indicator, with the reason (a poison position dead-lettered)', async () => {
    expect(await page.getAttribute('.topbar .conn', 'data-health')).toBe('ok');
    // The repro of issue 18: a device time in microseconds.
    await bus.publishAsync(`${PREFIX}/vehicles/POISON-UI/position`, JSON.stringify({ seq: 1, ts: Date.now() * 1000, lat: 10.98, lon: 106.65 }), { qos: 1 });
    await page.waitForSelector('.topbar .conn.degraded[data-reasons~="dead_letters_recent"]', { timeout: 20_000 });
    expect(await page.textContent('.topbar .conn')).toBe('Máy chủ gặp sự cố');
    expect(await page.getAttribute('.topbar .conn', 'title')).toBe('Có tin nhắn bị từ chối gần đây');
  });

  it('logged no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
