/**
 * Finding a street by name during call intake, in real Chromium against the real server started
 * with the Monaco road graph: the dispatcher types part of a street name without accents or
 * capitals into the address field, picks the suggestion with the keyboard, and the call pin and
 * the location field land on that street (read through the map's test hooks, not pixels); then
 * the call is created there with the typed address. Screenshots: test-artifacts/geocode-*.png.
 */
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromiumContext, noChromium } from '@lifeline/testing';
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
const DISPATCHER = { username: 'geocode-dispatcher', password: 'geocode-password-1' };
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
    await page.screenshot({ path: path.join(ARTIFACTS, 'geocode-failed.png') });
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

describe.skipIf(noChromium())('street search at call intake (server with the Monaco road graph)', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'lifeline-geocode-ui-'));
    await mkdir(ARTIFACTS, { recursive: true });
    await chmod(tmp, 0o755); // as root, embedded PostgreSQL runs as 'postgres'
    const uiDir = process.env.LIFELINE_UI_DIST ?? path.join(tmp, 'dist');
    const graphFile = path.join(tmp, 'monaco.llrg');
    await Promise.all([
      process.env.LIFELINE_UI_DIST ? Promise.resolve() : buildUi(uiDir),
      routing.importRoadGraph(MONACO_PBF).then((g) => routing.saveRoadGraph(graphFile, g)),
    ]);
    const cfg = loadConfig({
      PORT: '0', HOST: '127.0.0.1', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'data'),
      LOG_LEVEL: 'warn', SEED_DEMO: '1', OSM_GRAPH: graphFile,
    });
    server = await startServer(cfg, { uiDir });
    await createUser(server.db, { ...DISPATCHER, displayName: 'Geocode Test', role: 'dispatcher' });
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

  const options = () => page.locator('.suggestions [role=option]');

  it('Esc closes the suggestions', async () => {
    await openAt(`${HERCULE.lat},${HERCULE.lng},14`);
    const address = page.locator('input[name=address]');
    await address.click();
    await address.pressSequentially('grimaldi');
    await options().first().waitFor();
    expect(await address.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Escape');
    await page.locator('.suggestions').waitFor({ state: 'detached' });
    expect(await address.getAttribute('aria-expanded')).toBe('false');
    expect(await address.inputValue()).toBe('grimaldi');
    await address.fill('');
  });

  it('types “12 avenue des spelug”, picks “Avenue des Spélugues” with ↓ Enter: pin and location on that street, then creates the call', async () => {
    await openAt(`${HERCULE.lat},${HERCULE.lng},14`);
    await page.fill('input[name=callerPhone]', '0912345678');
    const address = page.locator('input[name=address]');
    await address.click();
    await address.pressSequentially('12 avenue des spelug');
    await options().filter({ hasText: 'Avenue des Spélugues' }).first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'geocode-suggestions.png') });
    const names = await options().locator('.name').allInnerTexts();
    const index = names.indexOf('Avenue des Spélugues');
    expect(index).toBeGreaterThanOrEqual(0);
    for (let i = 0; i <= index; i++) await page.keyboard.press('ArrowDown');
    expect(await page.locator('.suggestions [role=option][aria-selected=true] .name').innerText()).toBe('Avenue des Spélugues');
    await page.keyboard.press('Enter');
    await page.locator('.suggestions').waitFor({ state: 'detached' });

    // What the server says about that street (same session).
    const [street] = (await page.evaluate(async () => (await fetch('/api/geocode?q=avenue%20des%20spelugues')).json())) as { name: string; location: { lat: number; lng: number }; bbox: [number, number, number, number] }[];
    expect(street!.name).toBe('Avenue des Spélugues');
    const expected = `${street!.location.lat.toFixed(5)}, ${street!.location.lng.toFixed(5)}`;
    await page.waitForFunction((v) => (document.querySelector('input[name=location]') as HTMLInputElement).value === v, expected);
    expect(await hooks((h) => h.callPin())).toEqual(street!.location);
    expect(await address.inputValue()).toBe('12 avenue des spelug'); // the typed address is kept

    // The map flew to the street: all of its box in view, zoom capped.
    await hooks((h) => h.idle());
    await page.waitForFunction(([w, s, e, n]) => {
      const v = window.__lifeline.mapView();
      return v.bounds[0] <= w! && v.bounds[1] <= s! && v.bounds[2] >= e! && v.bounds[3] >= n! && v.zoom > 14.5;
    }, street!.bbox);
    const view = await hooks((h) => h.mapView());
    expect(view.zoom).toBeLessThanOrEqual(17);
    await page.screenshot({ path: path.join(ARTIFACTS, 'geocode-picked.png') });

    // Enter (the list is closed) creates the call at the pin, with the typed address.
    await address.press('Enter');
    const incident = (await page.waitForFunction(async () => {
      const list = (await (await fetch('/api/incidents?open=true')).json()) as { id: string; address: string | null; location: { lat: number; lng: number } }[];
      return list.find((i) => i.address === '12 avenue des spelug') ?? null;
    }, undefined, { polling: 200 }).then((h) => h.jsonValue()))!;
    expect(incident.location.lat).toBeCloseTo(street!.location.lat, 5);
    expect(incident.location.lng).toBeCloseTo(street!.location.lng, 5);
    await page.waitForFunction((id) => window.__lifeline.renderedIncidentIds().includes(id), incident.id);
    expect(pageErrors).toEqual([]);
  });
});
