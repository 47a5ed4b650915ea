/**
 * The auto-assign policy as the dispatcher sees it, in real Chromium against the real server
 * (embedded PostgreSQL and MQTT broker) started with AUTO_ASSIGN_PRIORITIES=1: the intake says
 * which priorities are assigned automatically; a P1 call opens on its detail with the automatic
 * unit, the timeline names the automatic actor, and the dispatcher can still change the unit or
 * cancel; a P2 call opens on the recommendations. Waits on conditions, never sleeps.
 */
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, noChromium } from '@lifeline/testing';
import mqtt, { type MqttClient } from 'mqtt';
import type { CreateUserBody } from '@lifeline/protocol';
import { builtUi } from './buildUi.ts';
import { createUser, loadConfig, startServer, type LifelineServer } from './lifelineServer.ts';

const UI_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = path.join(UI_ROOT, 'test-artifacts');
const PREFIX = 'lifeline/v1';
const DISPATCHER: CreateUserBody = { username: 'auto-dispatcher', displayName: 'Điều phối viên Tự động', password: 'auto-test-password-1', role: 'dispatcher' };
const SCENE = { lat: 10.98, lng: 106.65 };
/** BD-11 ~550 m from the scene, BD-12 ~1.7 km. */
const UNITS = { 'BD-11': { lat: 10.985, lng: 106.65 }, 'BD-12': { lat: 10.995, lng: 106.65 } } as const;

let tmp: string;
let server: LifelineServer;
let browser: Browser;
let page: Page;
let bus: MqttClient;
const pageErrors: string[] = [];

async function until(cond: () => boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** Fills the intake by keyboard (typed coordinates) and submits it. */
async function takeCall(phone: string, priority: string, category: string) {
  await page.fill('input[name=callerPhone]', phone);
  await page.fill('input[name=location]', `${SCENE.lat}, ${SCENE.lng}`);
  await page.selectOption('select[name=category]', category);
  await page.selectOption('select[name=priority]', priority);
  await page.click('form.intake button[type=submit]');
}

describe.skipIf(noChromium())('auto-assign in the dispatcher page (Chromium, real server)', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'lifeline-auto-'));
    await chmod(tmp, 0o755);
    await mkdir(ARTIFACTS, { recursive: true });
    const uiDir = await builtUi(tmp);
    const cfg = loadConfig({
      MQTT_AUTH: '0', PORT: '0', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'data'), LOG_LEVEL: 'warn',
      SEED_DEMO: '1', SILENT_AFTER_SEC: '3600', ACK_TIMEOUT_SEC: '600', AUTO_ASSIGN_PRIORITIES: '1', AUTO_ASSIGN_MAX_ETA_SEC: '600',
    });
    server = await startServer(cfg, { uiDir });
    const made = await createUser(server.db, DISPATCHER);
    if (!made.ok) throw new Error(`createUser: ${made.message}`);
    bus = await mqtt.connectAsync(server.mqttUrl, { clientId: 'auto-test-fleet', protocolVersion: 4 });
    for (const [id, at] of Object.entries(UNITS)) {
      await bus.publishAsync(`${PREFIX}/vehicles/${id}/position`, JSON.stringify({ seq: 1, ts: Date.now() - 60_000, lat: at.lat, lon: at.lng }), { qos: 1 });
      await bus.publishAsync(`${PREFIX}/vehicles/${id}/status`, JSON.stringify({ status: 'available', ts: Date.now() }), { qos: 1 });
    }
    await until(() => Object.keys(UNITS).every((id) => server.fleet.view(id)?.status === 'available'), 'units available');

    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 860 } })).newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 401\b/.test(m.text())) pageErrors.push(m.text());
    });
    await page.goto(`${server.url}/?capture`);
    await page.fill('input[name=username]', DISPATCHER.username);
    await page.fill('input[name=password]', DISPATCHER.password);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('form.intake');
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

  it('says at intake which priorities are assigned automatically', async () => {
    const hint = page.locator('form.intake .auto-hint');
    await expect.poll(() => hint.textContent()).toBe('P1 tự động phân công');
    // Off for the default P2, on once P1 is chosen.
    expect(await hint.getAttribute('data-auto-assign')).toBe('off');
    await page.selectOption('select[name=priority]', '1');
    expect(await hint.getAttribute('data-auto-assign')).toBe('on');
  });

  it('opens an auto-assigned P1 call on its detail with the unit, the automatic actor, and change unit / cancel', async () => {
    await takeCall('0911 222 333', '1', 'cardiac');
    const detail = await page.waitForSelector('section.detail[data-incident-id][data-state=assigned]');
    const id = (await detail.getAttribute('data-incident-id'))!;
    const banner = await page.waitForSelector('section.detail .auto-assigned');
    expect(await banner.getAttribute('data-auto-assigned')).toBe('BD-11');
    expect(await banner.textContent()).toMatch(/^Tự động phân công BD-11 · P1, dự kiến đến sau \d\d:\d\d$/);
    expect(await page.textContent('.notice[role=status]')).toMatch(/^Tự động phân công BD-11 cho sự cố #\d+\.$/);
    const auto = await page.waitForSelector('ol.timeline li[data-type=AutoAssigned]');
    expect(await auto.$eval('.actor', (e) => e.textContent)).toBe('Hệ thống (tự động phân công)');
    expect(await page.$eval('ol.timeline li[data-type=UnitAssigned] .actor', (e) => e.textContent)).toBe('Hệ thống (tự động phân công)');
    expect(await page.isVisible('section.detail button[data-action=reassign]')).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'auto-assigned.png') });

    // The same in English.
    await page.click('header button.lang');
    await expect.poll(() => page.textContent('section.detail .auto-assigned')).toMatch(/^Auto-assigned BD-11 · P1, expected in \d\d:\d\d$/);
    expect(await page.textContent('ol.timeline li[data-type=AutoAssigned] .actor')).toBe('System (auto-assign)');
    await page.click('header button.lang');

    // The dispatcher can still cancel it: the unit is released.
    await page.click('section.detail button[data-action=cancel]');
    await page.click('form.reason button[data-confirm=cancel]');
    await page.waitForSelector(`section.detail[data-incident-id="${id}"][data-state=cancelled]`);
    await until(() => server.fleet.view('BD-11')?.status === 'available', 'BD-11 released');
  });

  it('opens a P2 call on the recommendations, as without the policy', async () => {
    await page.click('button.newcall');
    await takeCall('0911 444 555', '2', 'fall');
    await page.waitForSelector('section.recs[data-incident-id] li[role=option]');
    expect(await page.$('section.detail .auto-assigned')).toBeNull();
    expect(await page.textContent('.notice[role=status]')).toMatch(/^Đã tạo sự cố #\d+\.$/);
    expect(pageErrors).toEqual([]);
  });
});
