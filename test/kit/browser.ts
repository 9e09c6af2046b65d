import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';

/** Debian's Chromium (scripts/install-system-deps.sh installs it), driven by playwright-core. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `describe` for browser tests: skipped without Chromium, except on CI (`CI=true`) where that is a failure. */
export function describeWithBrowser(name: string, fn: () => void): void {
  if (existsSync(CHROMIUM)) return describe(name, fn);
  if (process.env.CI === 'true') {
    describe(name, () => {
      it("needs Chromium (CI installs Debian's chromium)", () => {
        throw new Error(`Chromium not found at ${CHROMIUM}`);
      });
    });
    return;
  }
  console.warn(`SKIPPED "${name}": no Chromium at ${CHROMIUM}`);
  describe.skip(name, fn);
}

/** Chromium's switches for tests: nothing reaching out of the machine (no sync, no component updates). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Headless Chromium, with nothing reaching out of the machine. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, LANG: 'ja_JP.UTF-8', LANGUAGE: 'ja' }, // Japanese date and number inputs
    args: CHROMIUM_ARGS,
  });
}
