/**
 * The crew page for a crew with only a phone (OwnTracks as tracker), in real Chromium at a phone's
 * size against the real server: the job with its destination hospital, acknowledge, status
 * buttons, tap-to-call and navigation links, every action inside the screen. Waits on
 * conditions, never sleeps.
 */
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import mqtt, { type MqttClient } from 'mqtt';
import type { AssignResponse, CreateIncidentResponse, CreateUserBody, Hospital, Incident } from '@lifeline/protocol';
import { builtUi } from './buildUi.ts';
import { launchChromium, loginPage, loginToken, outsideViewport, restClient, until } from './browserSupport.ts';
import { createUser, loadConfig, startServer, type LifelineServer } from './lifelineServer.ts';

const UI_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = path.join(UI_ROOT, 'test-artifacts');
const PREFIX = 'lifeline/v1';
const PASSWORD = 'crew-test-password-1';
const USERS: CreateUserBody[] = [
  { username: 'crew-dispatcher', displayName: 'Điều phối viên', password: PASSWORD, role: 'dispatcher' },
  { username: 'crew-c1', displayName: 'Kíp C-01', password: PASSWORD, role: 'crew', vehicleId: 'C-01' },
];
const SCENE = { lat: 10.975, lng: 106.655 };

let tmp: string;
let server: LifelineServer;
let browser: Browser;
let page: Page;
let bus: MqttClient;
let token: string;
const pageErrors: string[] = [];

const rest = restClient(() => server.url, () => token);
const state = async (id: string) => (await rest<Incident>('GET', `/api/incidents/${id}`)).state;

describe('crew page on a phone (Chromium, real server)', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'lifeline-crew-'));
    await chmod(tmp, 0o755);
    await mkdir(ARTIFACTS, { recursive: true });
    const uiDir = await builtUi(tmp);
    const cfg = loadConfig({ MQTT_AUTH: '0', PORT: '0', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'data'), LOG_LEVEL: 'warn', SEED_DEMO: '1', SILENT_AFTER_SEC: '3600', ACK_TIMEOUT_SEC: '600' });
    server = await startServer(cfg, { uiDir });
    for (const u of USERS) {
      const r = await createUser(server.db, u);
      if (!r.ok) throw new Error(`createUser ${u.username}: ${r.message}`);
    }
    token = await loginToken(server.url, 'crew-dispatcher', PASSWORD);
    bus = await mqtt.connectAsync(server.mqttUrl, { clientId: 'crew-test-fleet', protocolVersion: 4 });
    await bus.publishAsync(`${PREFIX}/vehicles/C-01/position`, JSON.stringify({ seq: 1, ts: Date.now() - 30_000, lat: 10.98, lon: 106.65 }), { qos: 1 });
    await bus.publishAsync(`${PREFIX}/vehicles/C-01/status`, JSON.stringify({ status: 'available', ts: Date.now() - 30_000 }), { qos: 1 });
    await until(() => server.fleet.view('C-01')?.status === 'available', 'C-01 available');

    browser = await launchChromium();
    page = await loginPage(browser, { url: `${server.url}/?capture`, username: 'crew-c1', password: PASSWORD, errors: pageErrors, viewport: { width: 390, height: 844 }, mobile: true });
    await page.waitForSelector('.crew-page .crew-job .empty');
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await bus?.endAsync().catch(() => undefined);
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('receives a job and acts on it: acknowledge, en route, on scene, transporting, at hospital, available', async () => {
    const created = await rest<CreateIncidentResponse>('POST', '/api/incidents', { line: '115', callerPhone: '0905 123 456', location: SCENE, category: 'cardiac', priority: 1, address: 'Chợ Thủ Dầu Một' });
    const { incident } = await rest<AssignResponse>('POST', `/api/incidents/${created.incident.id}/assign`, { vehicleId: 'C-01' });
    const hospitals = await rest<Hospital[]>('GET', '/api/hospitals');
    const dest = hospitals.find((h) => h.id === incident.hospitalId)!;

    await page.waitForSelector(`.crew-job dl[data-incident-id="${incident.id}"][data-state="assigned"]`);
    // The destination by name, the caller one tap away, the scene and the hospital in the phone's navigation app.
    expect(await page.textContent('.crew-job [data-destination]')).toBe(dest.name);
    expect(await page.getAttribute('a[data-action=call]', 'href')).toBe('tel:0905123456');
    expect(await page.getAttribute('a[data-action=navigate-scene]', 'href')).toMatch(/^geo:10\.975000,106\.655000\?q=10\.975000,106\.655000/);
    expect(await page.getAttribute('a[data-action=navigate-hospital]', 'href')).toContain(`geo:${dest.location.lat.toFixed(6)},${dest.location.lng.toFixed(6)}`);
    expect(await outsideViewport(page, 'button[data-action=ack]')).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'crew-phone-assigned.png'), fullPage: true });

    await page.tap('button[data-action=ack]');
    await page.waitForSelector('.crew-job dl[data-state="acknowledged"]');
    expect(await state(incident.id)).toBe('acknowledged');
    for (const [status, next] of [
      ['en_route', 'en_route'],
      ['on_scene', 'on_scene'],
      ['transporting', 'transporting'],
      ['at_hospital', 'at_hospital'],
    ] as const) {
      expect(await outsideViewport(page, `button[data-status=${status}]`)).toEqual([]);
      await page.tap(`button[data-status=${status}]`);
      await page.waitForSelector(`.crew-job dl[data-state="${next}"]`);
      expect(await state(incident.id)).toBe(next);
    }
    await page.tap('button[data-status=available]');
    await page.waitForSelector('.crew-job .empty');
    expect(await state(incident.id)).toBe('closed');
    await until(() => server.fleet.view('C-01')?.status === 'available', 'C-01 available again');
  });

  it('refuses to acknowledge an assignment that is not the unit’s current one', async () => {
    const res = await page.evaluate(async () => (await fetch('/api/crew/ack', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ assignmentId: 'not-mine' }) })).status);
    expect(res).toBe(409);
  });

  it('speaks English too', async () => {
    await page.tap('header button.lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    expect(await page.textContent('.crew-job')).toContain('No job assigned.');
    expect(await page.textContent('.crew-status')).toContain('Out of service');
    await page.tap('header button.lang');
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !/status of 409\b/.test(e)));
    expect(pageErrors).toEqual([]);
  });
});
