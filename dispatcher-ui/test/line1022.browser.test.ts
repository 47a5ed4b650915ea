/**
 * Line 1022 in real Chromium against the real server (embedded PostgreSQL): a citizen files a field
 * report from a 390×844 phone with GPS and a photo, the routed agency answers in its portal (another
 * agency never sees it), and the citizen reads the answer with the tracking code and rates it.
 */
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { CreateUserBody } from '@lifeline/protocol';
import { builtUi } from './buildUi.ts';
import { createUser, loadConfig, startServer, type LifelineServer } from './lifelineServer.ts';

const UI_ROOT = fileURLToPath(new URL('..', import.meta.url));
const ARTIFACTS = path.join(UI_ROOT, 'test-artifacts');
const PASSWORD = 'line1022-test-password';
const USERS: CreateUserBody[] = [
  { username: 'tdm', displayName: 'UBND Thủ Dầu Một', password: PASSWORD, role: 'agency', agencyId: 'ubnd-thu-dau-mot' },
  { username: 'op1022', displayName: 'Điều phối 1022', password: PASSWORD, role: 'dispatcher' },
  { username: 'gtvt', displayName: 'Sở GTVT', password: PASSWORD, role: 'agency', agencyId: 'so-gtvt' },
];
/** Inside the demo Thủ Dầu Một area. */
const PHONE_AT = { latitude: 10.981, longitude: 106.661 };

/** A structurally valid JPEG carrying an EXIF block (the server strips it). */
function jpeg(): Buffer {
  const seg = (marker: number, body: Buffer) => Buffer.concat([Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    seg(0xe1, Buffer.from('Exif\0\0GPSLatitude=10.98', 'latin1')),
    seg(0xdb, Buffer.alloc(65, 1)),
    seg(0xc0, Buffer.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0])),
    seg(0xda, Buffer.from([1, 1, 0, 0, 63, 0])),
    Buffer.from([0x12, 0x34, 0xff, 0xd9]),
  ]);
}

let tmp: string;
let server: LifelineServer;
let browser: Browser;
const pageErrors: string[] = [];

/** Elements that stick out to the right of a 390 px wide screen (empty when the page fits). */
const overflowing = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 391)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)
      .slice(0, 5),
  );

function watch(page: Page, who: string) {
  page.on('pageerror', (e) => pageErrors.push(`${who}: ${String(e)}`));
  page.on('console', (m) => {
    // 401 before login; a photo placeholder's 404 is not an error of the page.
    if (m.type() === 'error' && !/status of (401|404)\b/.test(m.text())) pageErrors.push(`${who}: ${m.text()}`);
  });
}

async function loginPage(username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  watch(page, username);
  await page.goto(`${server.url}/`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('form.login', { state: 'detached' });
  return page;
}

describe('line 1022 pages in Chromium', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'lifeline-1022-'));
    await chmod(tmp, 0o755);
    await mkdir(ARTIFACTS, { recursive: true });
    const uiDir = await builtUi(tmp);
    const cfg = loadConfig({ PORT: '0', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'data'), LOG_LEVEL: 'warn', SEED_DEMO: '1' });
    server = await startServer(cfg, { uiDir });
    for (const u of USERS) {
      const r = await createUser(server.db, u);
      if (!r.ok) throw new Error(`createUser ${u.username}: ${r.message}`);
    }
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('citizen on a phone → agency portal answers → citizen sees the answer and rates it', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, geolocation: PHONE_AT, permissions: ['geolocation'] });
    const citizen = await phone.newPage();
    watch(citizen, 'citizen');
    await citizen.goto(`${server.url}/#/1022`);
    // Vietnamese first.
    await citizen.waitForSelector('text=Phản ánh đến Tổng đài 1022');
    await citizen.waitForSelector('select[name=category] option[value=traffic]', { state: 'attached' });
    await citizen.selectOption('select[name=category]', 'traffic');
    await citizen.fill('textarea[name=description]', 'Cây đổ chắn ngang đường Yersin, không có người bị thương');
    await citizen.click('[data-testid=use-gps]');
    await citizen.waitForSelector('[data-testid=gps-ok]');
    await citizen.fill('input[name=phone]', '0912 345 678');
    await citizen.setInputFiles('input[name=photos]', [{ name: 'cay-do.jpg', mimeType: 'image/jpeg', buffer: jpeg() }]);
    // Nothing wider than the phone: no sideways scrolling.
    await citizen.screenshot({ path: path.join(ARTIFACTS, 'line1022-citizen-form.png'), fullPage: true });
    expect(await overflowing(citizen)).toEqual([]);
    await citizen.click('button[type=submit]');
    const code = (await (await citizen.waitForSelector('[data-testid=tracking-code]')).textContent())!.trim();
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);

    // Routed by the rule: traffic inside Thủ Dầu Một goes to the city, not the province department.
    const tdm = await loginPage('tdm');
    const card = await tdm.waitForSelector('[data-testid=agency-report]');
    const reportId = await card.getAttribute('data-report');
    await tdm.waitForSelector(`[data-report="${reportId}"] [data-testid=deadline]`);
    await tdm.waitForSelector(`[data-report="${reportId}"] img[data-kind=citizen]`);
    const gtvt = await loginPage('gtvt');
    await gtvt.waitForSelector('text=Không có phản ánh nào đang chờ đơn vị.');
    expect(await gtvt.$(`[data-report="${reportId}"]`)).toBeNull();

    await tdm.click(`[data-report="${reportId}"] button.primary`); // accept
    await tdm.waitForSelector(`[data-report="${reportId}"][data-state=accepted] textarea[name=answer]`);
    await tdm.fill(`[data-report="${reportId}"] textarea[name=answer]`, 'Đã cắt dọn cây, đường thông lúc 10 giờ.');
    await tdm.click(`[data-report="${reportId}"] .answer button:not(.primary)`);
    await tdm.waitForSelector(`[data-report="${reportId}"] .answer button.primary:not([disabled])`);
    await tdm.screenshot({ path: path.join(ARTIFACTS, 'line1022-agency.png'), fullPage: true });
    await tdm.click(`[data-report="${reportId}"] .answer button.primary`); // close
    await tdm.waitForSelector(`[data-report="${reportId}"]`, { state: 'detached' });

    await citizen.click('[data-testid=tab-track]');
    await citizen.waitForSelector('[data-testid=tracked][data-state=closed]');
    expect(await citizen.textContent('[data-testid=answer]')).toContain('Đã cắt dọn cây');
    await citizen.click('.rate button.primary');
    await citizen.waitForSelector('[data-testid=rated]');
    await citizen.screenshot({ path: path.join(ARTIFACTS, 'line1022-citizen-tracked.png'), fullPage: true });
    expect(await overflowing(citizen)).toEqual([]);

    const row = (await server.db.selectFrom('reports').select(['rating', 'lat', 'channel']).where('id', '=', reportId).executeTakeFirstOrThrow()) as { rating: string; lat: number; channel: string };
    expect(row).toEqual({ rating: 'satisfied', lat: PHONE_AT.latitude, channel: 'web' });
    expect(pageErrors).toEqual([]);
  });

  it('a 1022 operator takes a field report by phone: no units, routed agency and deadline in the queue', async () => {
    const op = await loginPage('op1022');
    await op.waitForSelector('form.intake');
    await op.click('form.intake label.chip:has(input[name=line][value="1022"])');
    await op.click('form.intake label.chip:has(input[name=reportType][value=field_report])');
    // The medical category and priority give way to the report's category and description.
    await op.waitForSelector('form.intake select[name=reportCategory] option[value=environment]', { state: 'attached' });
    expect(await op.$('form.intake select[name=priority]')).toBeNull();
    await op.fill('input[name=callerPhone]', '0903 222 333');
    await op.fill('input[name=location]', '10.975, 106.70');
    await op.selectOption('select[name=reportCategory]', 'environment');
    await op.fill('textarea[name=description]', 'Rác thải đổ trộm ven đường');
    await op.click('form.intake button[type=submit]');
    expect(await (await op.waitForSelector('[data-testid=report-created]')).textContent()).toMatch(/#\d+/);
    // Environment at that point: inside Thủ Dầu Một (48 h), not the province department.
    const item = await op.waitForSelector('[data-testid=queue-report]:has-text("UBND TP. Thủ Dầu Một")');
    expect(await item.$eval('[data-testid=queue-deadline]', (e) => e.textContent)).toMatch(/^Còn (47 h 5\d|48 h 00) min$/);
    const incidents = (await server.db.selectFrom('incidents').select('id').where('caller_phone', '=', '0903222333').execute()) as unknown[];
    expect(incidents).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
