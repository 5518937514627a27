import { existsSync } from 'node:fs';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless (Playwright adds --headless), no GPU (WebGL runs on SwiftShader), nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // WebGL on the CPU: recent Chromium needs this to allow SwiftShader for MapLibre.
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--autoplay-policy=no-user-gesture-required',
];

export interface Browser {
  /** A new, isolated context (own localStorage and cookies): one per signed-in user. */
  newContext(viewport?: { width: number; height: number }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Playwright gives every launch a fresh temporary profile (user-data-dir), so nothing leaks between runs. */
export async function launchBrowser(opts: { extraArgs?: string[] } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: apt-get install -y chromium fonts-noto-cjk (or set CHROMIUM_PATH)`,
    );
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(opts.extraArgs ?? [])],
  });
  return {
    newContext: (viewport = { width: 1920, height: 1080 }) =>
      browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'UTC' }),
    async close() {
      await browser.close().catch(() => {});
    },
  };
}
