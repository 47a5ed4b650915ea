import { chromium, type Browser, type Page } from 'playwright-core';

/** The flags that make this machine's Chromium start headless, offline and quiet (PITFALLS.md). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });

/** Polls a condition (in-process or over HTTP) until it holds, without fixed sleeps. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** Viewports the pages must work at: phone, tablet, small laptop. */
export const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 1024, height: 768 },
  { name: 'laptop', width: 1366, height: 768 },
] as const;

/**
 * Every element matching `selector` is rendered, not hidden, and wholly inside the viewport
 * (after scrolling the page to it, as a user would): returns those that are not, with their box.
 */
export async function outsideViewport(page: Page, selector: string): Promise<string[]> {
  const bad: string[] = [];
  const vp = page.viewportSize()!;
  const n = await page.locator(selector).count();
  if (n === 0) return [`${selector}: none`];
  for (let i = 0; i < n; i++) {
    const el = page.locator(selector).nth(i);
    await el.scrollIntoViewIfNeeded();
    const box = await el.boundingBox();
    const visible = await el.isVisible();
    if (!box || !visible || box.x < 0 || box.y < 0 || box.x + box.width > vp.width + 0.5 || box.y + box.height > vp.height + 0.5 || box.width < 8 || box.height < 8) {
      bad.push(`${selector}[${i}] ${box ? `${Math.round(box.x)},${Math.round(box.y)} ${Math.round(box.width)}×${Math.round(box.height)}` : 'no box'}${visible ? '' : ' hidden'}`);
    }
  }
  return bad;
}

/** A session token for `username` (POST /api/auth/login). */
export async function loginToken(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!res.ok) throw new Error(`login ${username}: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/** JSON over REST with a bearer token; throws on a non-2xx answer (204 → null). */
export function restClient(baseUrl: () => string, token: () => string) {
  return async <T>(method: 'GET' | 'POST', p: string, body?: unknown, as = token()): Promise<T> => {
    const res = await fetch(`${baseUrl()}${p}`, {
      method,
      headers: { authorization: `Bearer ${as}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? null : await res.json()) as T;
  };
}

/** A fresh browser context (its own cookies) logged in through the login form; page errors go to `errors`. */
export async function loginPage(browser: Browser, o: { url: string; username: string; password: string; errors: string[]; viewport?: { width: number; height: number }; mobile?: boolean }): Promise<Page> {
  const context = await browser.newContext({ viewport: o.viewport ?? { width: 1366, height: 768 }, ...(o.mobile ? { isMobile: true, hasTouch: true } : {}) });
  const page = await context.newPage();
  page.on('pageerror', (e) => o.errors.push(`${o.username}: ${String(e)}`));
  page.on('console', (m) => {
    // The login page's expected 401 (GET /api/auth/me before logging in) is not an error.
    if (m.type() === 'error' && !/status of 401\b/.test(m.text())) o.errors.push(`${o.username}: ${m.text()}`);
  });
  await page.goto(o.url);
  await page.fill('input[name=username]', o.username);
  await page.fill('input[name=password]', o.password);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('form.login', { state: 'detached' });
  return page;
}
