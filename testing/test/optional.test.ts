import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { findChromium } from '../src/chromium.ts';
import { optional } from '../src/optional.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lifeline-which-'));
const fake = (name: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, '#!/bin/sh\n');
  chmodSync(p, 0o755);
  return p;
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('finding Chromium', () => {
  const chromeBrowser = fake('chromium-browser');
  const chrome = fake('google-chrome');

  it('takes CHROMIUM_PATH first, then chromium, chromium-browser, google-chrome on PATH', () => {
    expect(findChromium({ PATH: dir })).toEqual({ path: chromeBrowser });
    expect(findChromium({ PATH: dir, CHROMIUM_PATH: chrome })).toEqual({ path: chrome });
    const chromium = fake('chromium');
    expect(findChromium({ PATH: dir })).toEqual({ path: chromium });
  });

  it('says why when there is none', () => {
    expect(findChromium({ PATH: '/nonexistent' })).toEqual({ missing: expect.stringContaining('chromium-browser') });
    expect(findChromium({ PATH: dir, CHROMIUM_PATH: '/nope/chrome' })).toEqual({ missing: expect.stringContaining('/nope/chrome') });
  });
});

describe('an optional service', () => {
  it('runs its suite when present; when absent prints one line and skips, or fails with LIFELINE_REQUIRE_ALL=1', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    vi.stubEnv('LIFELINE_REQUIRE_ALL', '');
    try {
      expect(optional('gpsd', null, 'install it')).toBe(false);
      expect(optional('gpsd', 'no gpsd binary', 'install it')).toBe(true);
      expect(log).toHaveBeenCalledTimes(1);
      expect(log.mock.calls[0]![0]).toBe('skipped: gpsd not available (no gpsd binary): install it');
      vi.stubEnv('LIFELINE_REQUIRE_ALL', '1');
      expect(() => optional('gpsd', 'no gpsd binary', 'install it')).toThrow(/LIFELINE_REQUIRE_ALL=1 and gpsd not available/);
    } finally {
      log.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});
