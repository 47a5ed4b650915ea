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
