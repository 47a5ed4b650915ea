import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { optional } from './optional.ts';
import { isExecutable, which } from './which.ts';

export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'] as const;
export const CHROMIUM_HINT = 'install Chromium (Debian/Ubuntu: `apt-get install chromium`) or set CHROMIUM_PATH=/path/to/chrome';

/** Where Chromium is: CHROMIUM_PATH, else chromium, chromium-browser, google-chrome on PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): { path: string } | { missing: string } {
  const explicit = env.CHROMIUM_PATH;
  if (explicit) return isExecutable(explicit) ? { path: explicit } : { missing: `CHROMIUM_PATH=${explicit} is not an executable file` };
  const found = which(CHROMIUM_NAMES, [], env.PATH ?? '');
  return found ? { path: found } : { missing: `none of ${CHROMIUM_NAMES.join(', ')} on PATH and no CHROMIUM_PATH` };
}

const found = findChromium();
/** Chromium's path for the browser suites, or null when they are skipped (see optional()). */
export const CHROMIUM: string | null = 'path' in found ? found.path : null;

/** For `describe.skipIf(noChromium())`: prints the install hint (or fails in CI mode) when absent. */
export const noChromium = (): boolean => optional('Chromium', 'missing' in found ? found.missing : null, CHROMIUM_HINT);

// Headless flags that work in containers; SwiftShader gives WebGL without a GPU (MapLibre renders).
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function executable(): string {
  if (!CHROMIUM) throw new Error(`Chromium not found: ${CHROMIUM_HINT}`);
  return CHROMIUM;
}

/** A headless Chromium with a throwaway profile (Playwright removes it on close). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: executable(), args: ARGS });
}

/** A headless Chromium with its profile in `profileDir` (inside the suite's own temporary folder). */
export function launchChromiumContext(profileDir: string, viewport = { width: 1400, height: 860 }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, { executablePath: executable(), headless: true, viewport, args: ARGS });
}
