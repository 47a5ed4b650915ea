/**
 * The offline basemap in real Chromium against the real server started with the Monaco road graph
 * (imported from fixtures/osm/monaco.osm.pbf into a temporary folder): roads by class,
 * road names (drawn with local fonts, no glyph server), Natural Earth land and borders, the app's
 * layers on top, and the credits. Read from the map's rendered features, not from pixels;
 * screenshots go to dispatcher-ui/test-artifacts/ (not asserted).
 */
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromiumContext, noChromium } from '@lifeline/testing';
import mqtt from 'mqtt';
import type { LifelineTestHooks } from '../src/map/testHooks.ts';
import { buildUi } from './buildUi.ts';
import { createUser, loadConfig, startServer, type LifelineServer } from './lifelineServer.ts';

const routing = (await import('../../server/src/adapters/routing/index.ts' as string)) as {
  importRoadGraph(file: string): Promise<unknown>;
  saveRoadGraph(file: string, graph: unknown): Promise<number>;
};

const UI_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = path.join(UI_ROOT, 'test-artifacts');
const MONACO_PBF = path.resolve(UI_ROOT, '../fixtures/osm/monaco.osm.pbf');
const DISPATCHER = { username: 'basemap-dispatcher', password: 'basemap-password-1' };
/** Port Hercule, Monaco. */
const HERCULE = { lat: 43.7347, lng: 7.4206 };

let tmp: string;
let server: LifelineServer;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

declare const window: Window & { __lifeline: LifelineTestHooks };

const hooks = <T>(fn: (h: LifelineTestHooks) => T | Promise<T>): Promise<T> =>
  page.evaluate(async (src) => (0, eval)(src)(window.__lifeline), fn.toString()) as Promise<T>;

/** Opens the dispatcher page at `at` ("lat,lng,zoom"), logged in, once the map has rendered. */
async function openAt(at: string | null) {
  await openAtInner(at).catch(async (e: unknown) => {
    await page.screenshot({ path: path.join(ARTIFACTS, 'basemap-failed.png') });
    throw new Error(`${String(e)}; page: ${(await page.locator('body').innerText()).slice(0, 300)}; errors: ${pageErrors.join(' | ')}`);
  });
}

async function openAtInner(at: string | null) {
  await page.goto(`${server.url}/?capture${at ? `&at=${at}` : ''}`);
  // The session check decides between the login form and the page: wait for one of them.
  const needsLogin = await page.waitForFunction(() => (document.querySelector('form.login') ? 'login' : window.__lifeline ? 'page' : null)).then((h) => h.jsonValue());
  if (needsLogin === 'login') {
    await page.fill('input[name=username]', DISPATCHER.username);
    await page.fill('input[name=password]', DISPATCHER.password);
    await page.click('form.login button[type=submit]');
  }
  await page.waitForFunction(() => window.__lifeline?.connection() === 'live');
  await hooks((h) => h.idle());
}

describe.skipIf(noChromium())('offline basemap in Chromium (server with the Monaco road graph)', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'lifeline-basemap-ui-'));
    await mkdir(ARTIFACTS, { recursive: true });
    await chmod(tmp, 0o755); // as root, embedded PostgreSQL runs as 'postgres'
    const uiDir = process.env.LIFELINE_UI_DIST ?? path.join(tmp, 'dist');
    const graphFile = path.join(tmp, 'monaco.llrg');
    await Promise.all([
      process.env.LIFELINE_UI_DIST ? Promise.resolve() : buildUi(uiDir),
      routing.importRoadGraph(MONACO_PBF).then((g) => routing.saveRoadGraph(graphFile, g)),
    ]);
    const cfg = loadConfig({
      MQTT_AUTH: '0', PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'data'),
      LOG_LEVEL: 'warn', SEED_DEMO: '1', SILENT_AFTER_SEC: '600', OSM_GRAPH: graphFile,
    });
    server = await startServer(cfg, { uiDir });
    await createUser(server.db, { ...DISPATCHER, displayName: 'Basemap Test', role: 'dispatcher' });

    // One unit in Monaco, to see the app's layers drawn over the basemap.
    const bus = await mqtt.connectAsync(server.mqttUrl, { clientId: 'basemap-test', protocolVersion: 4 });
    await bus.publishAsync('lifeline/v1/vehicles/MC-01/status', JSON.stringify({ status: 'available', ts: Date.now() }), { qos: 1 });
    await bus.publishAsync('lifeline/v1/vehicles/MC-01/position', JSON.stringify({ seq: 1, ts: Date.now(), lat: 43.7352, lon: 7.4215 }), { qos: 1 });
    await bus.endAsync();

    context = await launchChromiumContext(path.join(tmp, 'chromium-profile'));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 401\b/.test(m.text())) pageErrors.push(m.text());
    });
  });

  afterAll(async () => {
    // The temporary folder goes whatever failed before (a failed suite must not leave it in /tmp).
    try {
      await context?.close().catch(() => undefined);
      await server?.stop();
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  });

  it('draws Monaco’s roads by class, with their names, under the units', async () => {
    await openAt(`${HERCULE.lat},${HERCULE.lng},16`);
    await page.waitForFunction(() => window.__lifeline.renderedBasemap().roadLabels.length > 0, undefined, { timeout: 30_000 });
    const drawn = await hooks((h) => h.renderedBasemap());
    expect(drawn.roadClasses).toEqual(expect.arrayContaining(['primary', 'minor']));
    expect(drawn.roadLabels.length).toBeGreaterThan(2);
    expect(drawn.land).toBeGreaterThan(0);
    await page.waitForFunction(() => window.__lifeline.renderedUnitIds().includes('MC-01'));
    const order = await hooks((h) => h.layerOrder());
    expect(order.indexOf('units-circle')).toBeGreaterThan(order.indexOf('basemap-road-labels'));
    expect(order.indexOf('basemap-roads')).toBeGreaterThan(order.indexOf('basemap-land'));
    const credits = await page.locator('.maplibregl-ctrl-attrib').innerText();
    expect(credits).toContain('© OpenStreetMap contributors');
    expect(credits).toContain('Natural Earth');
    // No "no road data" note when roads are there.
    expect(await page.locator('.map-note').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'basemap-monaco-z16.png') });
  });

  it('shows the whole city with its main roads at a lower zoom', async () => {
    await openAt(`${HERCULE.lat},${HERCULE.lng},13.5`);
    await page.waitForFunction(() => window.__lifeline.renderedBasemap().roadClasses.length >= 3, undefined, { timeout: 30_000 });
    const drawn = await hooks((h) => h.renderedBasemap());
    expect(drawn.roadClasses).toEqual(expect.arrayContaining(['primary', 'secondary']));
    await page.screenshot({ path: path.join(ARTIFACTS, 'basemap-monaco-z13.png') });
  });

  it('has land and borders where there is no road graph (the Bình Dương demo area)', async () => {
    await openAt('10.98,106.65,7');
    await page.waitForFunction(() => window.__lifeline.renderedBasemap().land > 0 && window.__lifeline.renderedBasemap().borders > 0, undefined, { timeout: 30_000 });
    expect((await hooks((h) => h.renderedBasemap())).roadClasses).toEqual([]);
    await page.screenshot({ path: path.join(ARTIFACTS, 'basemap-binh-duong-z7.png') });
  });

  it('serves the tiles without a login (open map data), and the page logged no error', async () => {
    const n = 2 ** 14;
    const r = (HERCULE.lat * Math.PI) / 180;
    const x = Math.floor(((HERCULE.lng + 180) / 360) * n);
    const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
    const res = await fetch(`${server.url}/api/basemap/roads/14/${x}/${y}.pbf`);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    expect(pageErrors).toEqual([]);
  });
});
