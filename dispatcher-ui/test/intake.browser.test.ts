/**
 * The safety of the dispatcher's keyboard intake and of the calls it creates, in real Chromium
 * against the real server (embedded PostgreSQL and MQTT broker): the tab order of the form never
 * passes through the harassing-caller flag, digits typed right after F2 all reach the phone field,
 * Enter creates the call from any field (selects included) and after a pin is placed on the map, a
 * call handed back by its unit raises an alert, and the destination hospital is shown and can be
 * changed. Waits on conditions, never sleeps.
 */
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import mqtt, { type MqttClient } from 'mqtt';
import type { AssignResponse, Caller, CreateIncidentResponse, CreateUserBody, Incident, TimelineEvent } from '@lifeline/protocol';
import type { LifelineTestHooks } from '../src/map/testHooks.ts';
import { builtUi } from './buildUi.ts';
import { launchChromium, loginPage, loginToken as tokenFor, restClient, until } from './browserSupport.ts';
import { createUser, loadConfig, startServer, type LifelineServer } from './lifelineServer.ts';

const UI_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = path.join(UI_ROOT, 'test-artifacts');
const PREFIX = 'lifeline/v1';
const PASSWORD = 'intake-test-password-1';
const DISPATCHER: CreateUserBody = { username: 'intake-dispatcher', displayName: 'Điều phối viên Nhập', password: PASSWORD, role: 'dispatcher' };
const NURSE: CreateUserBody = { username: 'intake-nurse', displayName: 'Điều dưỡng Nhập', password: PASSWORD, role: 'hospital', hospitalId: 'bd-becamex' };
const SCENE = { lat: 10.98, lng: 106.65 };
/** A caller who has called before: their history shows as the number is typed. */
const KNOWN_CALLER = '0903 000 111';
const UNITS = { 'BD-21': { lat: 10.983, lng: 106.652 }, 'BD-22': { lat: 10.976, lng: 106.646 }, 'BD-23': { lat: 10.99, lng: 106.64 } } as const;

let tmp: string;
let server: LifelineServer;
let browser: Browser;
let page: Page;
let bus: MqttClient;
let token: string;
const seqs = new Map<string, number>();
const pageErrors: string[] = [];

declare const window: Window & { __lifeline: LifelineTestHooks };

const rest = restClient(() => server.url, () => token);
const loginToken = (username: string) => tokenFor(server.url, username, PASSWORD);

async function publishStatus(id: string, status: string) {
  await bus.publishAsync(`${PREFIX}/vehicles/${id}/status`, JSON.stringify({ status, ts: Date.now() }), { qos: 1 });
}
async function publishPosition(id: string, at: { lat: number; lng: number }) {
  const seq = (seqs.get(id) ?? 0) + 1;
  seqs.set(id, seq);
  await bus.publishAsync(`${PREFIX}/vehicles/${id}/position`, JSON.stringify({ seq, ts: Date.now() - 60_000 + seq, lat: at.lat, lon: at.lng }), { qos: 1 });
}

/** A call created and assigned over REST, as another dispatcher would. */
async function assignedCall(unit: string, priority: number, phone: string): Promise<Incident> {
  const created = await rest<CreateIncidentResponse>('POST', '/api/incidents', { line: '115', callerPhone: phone, location: SCENE, category: 'cardiac', priority });
  return (await rest<AssignResponse>('POST', `/api/incidents/${created.incident.id}/assign`, { vehicleId: unit })).incident;
}

const activeName = () => page.evaluate(() => {
  const el = document.activeElement as HTMLElement | null;
  return el?.getAttribute('name') ?? (el?.tagName === 'BUTTON' ? `button:${el.getAttribute('type')}:${el.className}` : (el?.tagName ?? 'none'));
});

/** The recommendations of a call just created from the intake form: its incident id. */
async function createdIncident(): Promise<string> {
  const recs = await page.waitForSelector('section.recs[data-incident-id]');
  return (await recs.getAttribute('data-incident-id'))!;
}

/** Opens the intake form and waits until it is ready with an empty phone field. */
async function freshIntake() {
  await page.click('button.newcall');
  await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'callerPhone');
}

describe('keyboard intake and call safety (Chromium, real server)', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'lifeline-intake-'));
    await chmod(tmp, 0o755);
    await mkdir(ARTIFACTS, { recursive: true });
    const uiDir = await builtUi(tmp);
    const cfg = loadConfig({
      MQTT_AUTH: '0', PORT: '0', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'data'), LOG_LEVEL: 'warn',
      SEED_DEMO: '1', SILENT_AFTER_SEC: '3600', ACK_TIMEOUT_SEC: '600',
    });
    server = await startServer(cfg, { uiDir });
    for (const u of [DISPATCHER, NURSE]) {
      const made = await createUser(server.db, u);
      if (!made.ok) throw new Error(`createUser: ${made.message}`);
    }
    token = await loginToken(DISPATCHER.username);
    // Becamex reports 3 free beds; the provincial hospital is on diversion (set by its staff here).
    await server.db.updateTable('hospitals').set({ diversion: true, ed_capacity: 0 }).where('id', '=', 'bd-bvdk-tinh').execute();
    // Also reloads the server's list of hospitals (with the row changed above).
    await rest('POST', '/api/hospital/status', { edCapacity: 3, diversion: false }, await loginToken(NURSE.username));
    bus = await mqtt.connectAsync(server.mqttUrl, { clientId: 'intake-test-fleet', protocolVersion: 4 });
    for (const [id, at] of Object.entries(UNITS)) {
      await publishPosition(id, at);
      await publishStatus(id, 'available');
    }
    await until(() => Object.keys(UNITS).every((id) => server.fleet.view(id)?.status === 'available'), 'units available');
    // The known caller's first call, closed off as cancelled.
    const first = await rest<CreateIncidentResponse>('POST', '/api/incidents', { line: '115', callerPhone: KNOWN_CALLER, location: SCENE, category: 'fall', priority: 3 });
    await rest('POST', `/api/incidents/${first.incident.id}/cancel`, { reason: 'test' });

    browser = await launchChromium();
    page = await loginPage(browser, { url: `${server.url}/?capture`, username: DISPATCHER.username, password: PASSWORD, errors: pageErrors, viewport: { width: 1400, height: 860 } });
    await page.waitForFunction(() => window.__lifeline?.connection() === 'live');
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await bus?.endAsync().catch(() => undefined);
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('Tab walks the intake form in order and never lands on the harassing-caller flag', async () => {
    await freshIntake();
    await page.keyboard.type(KNOWN_CALLER);
    // The caller's history (and with it the flag action) is on screen before the dispatcher tabs on.
    await page.waitForSelector('form.intake .caller[data-calls="1"]');
    const order: string[] = [];
    for (let i = 0; i < 7; i++) {
      await page.keyboard.press('Tab');
      order.push(await activeName());
    }
    expect(order).toEqual(['callerName', 'location', 'address', 'category', 'priority', 'notes', 'button:submit:primary']);
    // The name typed after Tab goes into the name, and the caller is not flagged.
    await page.focus('input[name=callerName]');
    await page.keyboard.type('Nguyễn Văn A');
    expect(await page.inputValue('input[name=callerName]')).toBe('Nguyễn Văn A');
    expect(await page.$('form.intake .caller[data-flagged="true"]')).toBeNull();
    expect((await rest<Caller>('GET', `/api/callers/${encodeURIComponent(KNOWN_CALLER)}`)).flagged).toBe(false);
  });

  it('flagging a caller is its own action with a confirmation', async () => {
    await page.click('form.intake button[data-action=flag-caller]');
    await page.waitForSelector('dialog.confirm-flag[open]');
    // Focus starts on "cancel": Enter or Space right away does not flag anybody.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-action'))).toBe('cancel-flag');
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog.confirm-flag[open]', { state: 'detached' });
    expect((await rest<Caller>('GET', `/api/callers/${encodeURIComponent(KNOWN_CALLER)}`)).flagged).toBe(false);
    // Deliberately: open, give a reason, confirm.
    await page.click('form.intake button[data-action=flag-caller]');
    await page.waitForSelector('dialog.confirm-flag[open]');
    await page.fill('dialog.confirm-flag input[name=flagReason]', 'Gọi đùa nhiều lần');
    await page.keyboard.press('Enter'); // Enter in the reason does not confirm either
    expect((await rest<Caller>('GET', `/api/callers/${encodeURIComponent(KNOWN_CALLER)}`)).flagged).toBe(false);
    await page.click('dialog.confirm-flag button[data-action=confirm-flag]');
    await page.waitForSelector('form.intake .caller[data-flagged="true"]');
    expect(await page.textContent('form.intake .caller')).toContain('Gọi đùa nhiều lần');
    const caller = await rest<Caller>('GET', `/api/callers/${encodeURIComponent(KNOWN_CALLER)}`);
    expect(caller).toMatchObject({ flagged: true, flagReason: 'Gọi đùa nhiều lần' });
    // Back to normal for the tests below.
    await rest('POST', `/api/callers/${encodeURIComponent(KNOWN_CALLER)}/flag`, { flagged: false });
    await page.click('form.intake button[type=button]:has-text("Làm lại")');
  });

  let busyIncident: Incident;
  it('keeps every digit typed right after F2, even from another panel', async () => {
    busyIncident = await assignedCall('BD-22', 2, '0977 000 222');
    const openDetail = async () => {
      await page.click(`.incidents button[data-incident-id="${busyIncident.id}"]`);
      await page.waitForSelector(`section.detail[data-incident-id="${busyIncident.id}"]`);
      await page.click('section.detail h2');
    };
    // The phone field has the focus before the F2 handler returns, whatever the frame timing.
    await openDetail();
    const focusedAtOnce = await page.evaluate(() => {
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'F2', bubbles: true }));
      return document.activeElement?.getAttribute('name') ?? null;
    });
    expect(focusedAtOnce).toBe('callerPhone');
    // And with real keys.
    await openDetail();
    await page.keyboard.press('F2');
    await page.keyboard.type('0912345678');
    await page.waitForSelector('form.intake');
    expect(await page.inputValue('input[name=callerPhone]')).toBe('0912345678');
  });

  it('Enter in the category or priority select creates the call', async () => {
    await page.fill('input[name=location]', `${SCENE.lat}, ${SCENE.lng}`);
    await page.focus('select[name=category]');
    await page.keyboard.press('Enter');
    const a = await createdIncident();
    expect((await rest<Incident>('GET', `/api/incidents/${a}`)).callerPhone).toBe('0912345678');

    await freshIntake();
    await page.keyboard.type('0912 000 333');
    await page.fill('input[name=location]', `${SCENE.lat}, ${SCENE.lng}`);
    await page.focus('select[name=priority]');
    await page.keyboard.press('Enter');
    const b = await createdIncident();
    expect(b).not.toBe(a);
  });

  it('Enter creates the call after the pin is placed on the map', async () => {
    await freshIntake();
    await page.keyboard.type('0912 000 444');
    const px = await page.evaluate(([lat, lng]) => window.__lifeline.project(lat!, lng!), [10.96, 106.67]);
    await page.mouse.click(px.x, px.y);
    await page.waitForFunction(() => (document.querySelector<HTMLInputElement>('input[name=location]')?.value ?? '') !== '');
    await page.keyboard.press('Enter');
    const id = await createdIncident();
    expect((await rest<Incident>('GET', `/api/incidents/${id}`)).callerPhone.replace(/\D/g, '')).toBe('0912000444');
    await page.keyboard.press('Escape');
  });

  it('a unit going available mid-job raises an alert naming it and why, with a chime', async () => {
    await page.click('.topbar button[name=sound][aria-pressed=false]');
    const chimes = Number(await page.getAttribute('.topbar button[name=sound]', 'data-chimes'));
    const p1 = await assignedCall('BD-21', 1, '0966 000 555');
    await page.waitForSelector(`.incidents button[data-incident-id="${p1.id}"][data-state="assigned"]`);
    await publishStatus('BD-21', 'available');
    const alert = await page.waitForSelector(`.alerts .alert[data-type="unit_released"][data-incident-id="${p1.id}"]`);
    expect(await alert.textContent()).toContain('BD-21');
    expect(await alert.textContent()).toContain(`#${p1.number}`);
    expect(await alert.textContent()).toContain('trở lại hàng chờ');
    expect(await alert.textContent()).toContain('Sẵn sàng');
    await page.waitForSelector(`.topbar button[name=sound][data-chimes="${chimes + 1}"]`);
    // The way out is on the alert: choose a unit for the call again.
    await page.click(`.alerts .alert[data-incident-id="${p1.id}"] button[data-action=assign]`);
    await page.waitForSelector(`section.recs[data-incident-id="${p1.id}"][data-mode="assign"]`);
    await page.waitForSelector(`.alerts .alert[data-incident-id="${p1.id}"]`, { state: 'detached' });
    await page.keyboard.press('Escape');
  });

  it('shows the destination hospital in the detail and lets the dispatcher change it, with a reason', async () => {
    // Hospitals on the map: ED status, free beds, diversion.
    await page.waitForSelector('.hospital-marker[data-hospital-id="bd-bvdk-tinh"][data-diversion="true"]');
    expect(await page.textContent('.hospital-marker[data-hospital-id="bd-becamex"] .hospital-status')).toContain('3');
    expect(await page.getAttribute('.hospital-marker[data-hospital-id="bd-bvdk-tinh"]', 'aria-label')).toContain('chuyển hướng');

    await page.click(`.incidents button[data-incident-id="${busyIncident.id}"]`);
    const dest = await page.waitForSelector(`section.detail[data-incident-id="${busyIncident.id}"] [data-destination]`);
    const chosen = (await dest.getAttribute('data-destination'))!;
    expect(chosen).toBe(busyIncident.hospitalId);
    expect(chosen).not.toBe('bd-bvdk-tinh'); // on diversion
    expect(await dest.textContent()).not.toContain(chosen); // a name, not an id

    const assignment = new Promise<{ hospital?: { id: string } }>((resolve) => {
      bus.on('message', (topic, payload) => {
        if (topic === `${PREFIX}/vehicles/BD-22/assignment`) resolve(JSON.parse(payload.toString()) as { hospital?: { id: string } });
      });
    });
    await bus.subscribeAsync(`${PREFIX}/vehicles/BD-22/assignment`, { qos: 1 });
    await page.click('section.detail button[data-action=destination]');
    await page.selectOption('section.detail form.destination select[name=hospitalId]', 'bd-becamex');
    // No change without a reason.
    expect(await page.isDisabled('section.detail form.destination button[type=submit]')).toBe(true);
    await page.fill('section.detail form.destination input[name=reason]', 'Cần can thiệp tim mạch');
    await page.click('section.detail form.destination button[type=submit]');
    const event = await page.waitForSelector('section.detail .timeline li[data-type="DestinationChanged"]');
    expect(await event.textContent()).toContain('Cần can thiệp tim mạch');
    expect(await event.textContent()).toContain('Becamex');
    await page.waitForSelector('section.detail [data-destination="bd-becamex"]');
    expect((await rest<Incident>('GET', `/api/incidents/${busyIncident.id}`)).hospitalId).toBe('bd-becamex');
    const timeline = await rest<TimelineEvent[]>('GET', `/api/incidents/${busyIncident.id}/timeline`);
    expect(timeline.find((e) => e.type === 'DestinationChanged')?.data).toMatchObject({ hospitalId: 'bd-becamex', fromHospitalId: chosen, reason: 'Cần can thiệp tim mạch' });
    // The unit's assignment carries the new destination.
    expect((await assignment).hospital?.id).toBe('bd-becamex');
    await page.screenshot({ path: path.join(ARTIFACTS, 'destination-changed.png') });

    // The same in English.
    await page.click('header button.lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    expect(await page.textContent('section.detail')).toContain('Destination');
    expect(await page.textContent('section.detail .timeline li[data-type="DestinationChanged"]')).toContain('Destination changed');
    expect(await page.getAttribute('.hospital-marker[data-hospital-id="bd-bvdk-tinh"]', 'aria-label')).toContain('diversion');
    await page.click('header button.lang');
  });

  it('logged no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
