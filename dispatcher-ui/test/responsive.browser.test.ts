/**
 * Every page at a phone (390×844), a tablet (1024×768) and a small laptop (1366×768), in real
 * Chromium against the real server: each page's primary actions are shown and wholly inside the
 * viewport (scrolled to, as a user would), and a screenshot of every page at every size goes to
 * dispatcher-ui/test-artifacts/pages/ (gitignored; CI keeps it as an artifact).
 */
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import mqtt, { type MqttClient } from 'mqtt';
import type { CreateIncidentResponse, CreateUserBody } from '@lifeline/protocol';
import { builtUi } from './buildUi.ts';
import { launchChromium, loginPage, loginToken, outsideViewport, restClient, until, VIEWPORTS } from './browserSupport.ts';
import { createUser, loadConfig, startServer, type LifelineServer } from './lifelineServer.ts';

const UI_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHOTS = path.join(UI_ROOT, 'test-artifacts', 'pages');
const PREFIX = 'lifeline/v1';
const PASSWORD = 'responsive-password-1';
const HOSPITAL = 'bd-bvdk-tinh';
const USERS: CreateUserBody[] = [
  { username: 'r-dispatcher', displayName: 'Điều phối viên', password: PASSWORD, role: 'dispatcher' },
  { username: 'r-nurse', displayName: 'Điều dưỡng', password: PASSWORD, role: 'hospital', hospitalId: HOSPITAL },
  { username: 'r-crew', displayName: 'Kíp R-01', password: PASSWORD, role: 'crew', vehicleId: 'R-01' },
  { username: 'r-sup', displayName: 'Giám sát', password: PASSWORD, role: 'supervisor' },
  { username: 'r-admin', displayName: 'Quản trị', password: PASSWORD, role: 'admin' },
];

/** Each page: who sees it, where (URL hash), what shows it is ready, and its primary actions. */
const PAGES: { name: string; user: string; hash: string; ready: string; actions: string[] }[] = [
  { name: 'dispatcher', user: 'r-dispatcher', hash: '', ready: 'form.intake', actions: ['button.newcall', 'input[name=callerPhone]', 'form.intake button[type=submit]'] },
  { name: 'hospital', user: 'r-nurse', hash: '', ready: '.case', actions: ['.case button[name=arrival]', '.case button[name=handover]', '.ed-status button[type=submit]'] },
  { name: 'crew', user: 'r-crew', hash: '', ready: '.crew-job dl', actions: ['button[data-action=ack]', 'a[data-action=call]', 'a[data-action=navigate-scene]'] },
  { name: 'replay', user: 'r-sup', hash: '#replay', ready: '.replay-picker', actions: ['.replay-picker button[name=load]'] },
  { name: 'kpi', user: 'r-sup', hash: '#kpi', ready: '.kpi-query', actions: ['.kpi-query button[type=submit]'] },
  { name: 'admin', user: 'r-admin', hash: '#admin', ready: '.user-form', actions: ['.user-form button[type=submit]', '.admin-creds button[type=submit]'] },
];

let tmp: string;
let server: LifelineServer;
let browser: Browser;
let bus: MqttClient;
const pageErrors: string[] = [];

describe('every page at phone, tablet and laptop sizes (Chromium, real server)', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'lifeline-responsive-'));
    await chmod(tmp, 0o755);
    await mkdir(SHOTS, { recursive: true });
    const uiDir = await builtUi(tmp);
    const cfg = loadConfig({ MQTT_AUTH: '0', PORT: '0', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'data'), LOG_LEVEL: 'warn', SEED_DEMO: '1', SILENT_AFTER_SEC: '3600', ACK_TIMEOUT_SEC: '600' });
    server = await startServer(cfg, { uiDir });
    for (const u of USERS) {
      const r = await createUser(server.db, u);
      if (!r.ok) throw new Error(`createUser ${u.username}: ${r.message}`);
    }
    bus = await mqtt.connectAsync(server.mqttUrl, { clientId: 'responsive-fleet', protocolVersion: 4 });
    await bus.publishAsync(`${PREFIX}/vehicles/R-01/position`, JSON.stringify({ seq: 1, ts: Date.now() - 30_000, lat: 10.992, lon: 106.664 }), { qos: 1 });
    await bus.publishAsync(`${PREFIX}/vehicles/R-01/status`, JSON.stringify({ status: 'available', ts: Date.now() - 30_000 }), { qos: 1 });
    await until(() => server.fleet.view('R-01')?.status === 'available', 'R-01 available');
    // A live case heading to the hospital (for the hospital's cards and the crew's job).
    const token = await loginToken(server.url, 'r-dispatcher', PASSWORD);
    const rest = restClient(() => server.url, () => token);
    const post = <T>(p: string, body: unknown) => rest<T>('POST', p, body);
    const created = await post<CreateIncidentResponse>('/api/incidents', { line: '115', callerPhone: '0909 111 222', location: { lat: 10.991, lng: 106.663 }, category: 'cardiac', priority: 1, notes: 'Đau ngực, vã mồ hôi, tiền sử tăng huyết áp' });
    await post(`/api/incidents/${created.incident.id}/assign`, { vehicleId: 'R-01' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await bus?.endAsync().catch(() => undefined);
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it.each(PAGES)('$name: primary actions inside the viewport at every size, with screenshots', async ({ name, user, hash, ready, actions }) => {
    const page = await loginPage(browser, { url: `${server.url}/?capture${hash}`, username: user, password: PASSWORD, errors: pageErrors });
    await page.waitForSelector(ready);
    const bad: string[] = [];
    for (const vp of VIEWPORTS) {
      await page.setViewportSize({ width: vp.width, height: vp.height });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      // Nothing wider than the screen: a page that scrolls sideways hides its actions.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 1) bad.push(`${vp.name}: page ${overflow}px wider than the viewport`);
      for (const sel of actions) for (const b of await outsideViewport(page, sel)) bad.push(`${vp.name}: ${b}`);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(SHOTS, `${name}-${vp.width}x${vp.height}.png`) });
    }
    await page.context().close();
    expect(bad).toEqual([]);
  });

  it('logged no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
