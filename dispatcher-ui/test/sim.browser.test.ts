/**
 * The supervisor's simulation screen in real Chromium against the real server (embedded
 * PostgreSQL, demo stations): yesterday's calls replayed under two policies, progress, the
 * results table in Vietnamese and English, and the CSV export. Waits on conditions, never sleeps.
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { builtUi } from './buildUi.ts';
import { createUser, loadConfig, startServer, type LifelineServer } from './lifelineServer.ts';

const PASSWORD = 'sim-test-password-1';
let tmp: string;
let server: LifelineServer;
let browser: Browser;
const pageErrors: string[] = [];

describe('simulation screen in Chromium against the real server', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'lifeline-sim-ui-'));
    await chmod(tmp, 0o755);
    const uiDir = await builtUi(tmp);
    const cfg = loadConfig({ PORT: '0', MQTT_PORT: '0', MQTT_HOST: '127.0.0.1', HOST: '127.0.0.1', DATA_DIR: path.join(tmp, 'data'), LOG_LEVEL: 'warn', SEED_DEMO: '1' });
    server = await startServer(cfg, { uiDir });
    const r = await createUser(server.db, { username: 'sup', displayName: 'Giám sát Test', password: PASSWORD, role: 'supervisor' });
    if (!r.ok) throw new Error(r.message);
    // Twelve calls of the last hours near Thủ Dầu Một (the demo stations' area).
    await server.db
      .insertInto('incidents')
      .values(Array.from({ length: 12 }, (_, i) => ({ line: '115', caller_phone: '0900000000', lat: 10.95 + (i % 4) * 0.02, lng: 106.64 + (i % 3) * 0.03, category: 'fall', priority: 1 + (i % 3), state: 'closed', created_at: new Date(Date.now() - (i + 1) * 20 * 60_000) })))
      .execute();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('replays the last day under closest-idle and coverage-aware + move-up, shows the table, exports CSV', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`${server.url}/#sim`);
    await page.fill('input[name=username]', 'sup');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('.sim-page form');
    expect(await page.textContent('.sim-page h2')).toBe('Mô phỏng điều phối');
    await page.fill('input[name=unitsPerStation]', '2');
    await page.fill('input[name=replications]', '3');
    await page.click('.sim-page button[type=submit]');
    await page.waitForSelector('.sim-table tbody tr[data-policy="coverage-aware+move-up"]', { timeout: 90_000 });
    expect(await page.$$eval('.sim-table tbody tr', (rows) => rows.map((r) => r.getAttribute('data-policy')))).toEqual(['closest-idle', 'coverage-aware+move-up']);
    expect(await page.textContent('.sim-progress')).toContain('Hoàn tất');
    expect(await page.textContent('.sim-table tbody tr[data-policy="closest-idle"] th')).toBe('Xe rảnh gần nhất');
    // 12 calls × 3 replications per policy.
    expect(await page.textContent('.sim-table tbody tr[data-policy="closest-idle"] td')).toBe('36');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.sim-page a.csv')]);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^policy,replications,calls,mean_response_s/);
    expect(csv).toContain('coverage-aware+move-up,3,36,');
    await page.click('button.lang');
    await page.waitForFunction(() => document.querySelector('.sim-page h2')?.textContent === 'Dispatch simulation');
    expect(await page.textContent('.sim-table tbody tr[data-policy="closest-idle"] th')).toBe('Closest idle unit');
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
