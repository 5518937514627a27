import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const DEMO_PASSWORD = 'gridwatch-demo';

/** Opens `path`, signs in through the login form the app redirects to, and waits to land back. */
export async function signIn(
  context: BrowserContext,
  baseUrl: string,
  path: string,
  username: string,
  password = DEMO_PASSWORD,
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}${path}`);
  await page.waitForSelector('[data-testid=login-form]');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname.startsWith(path), { timeout: 20_000 });
  return page;
}

/** Saves a screenshot to tests/artifacts/ and, for the docs, a copy to docs/screenshots/. */
export async function screenshot(page: Page, name: string, docs = true): Promise<string> {
  const artifacts = join(ROOT, 'tests', 'artifacts');
  await mkdir(artifacts, { recursive: true });
  const file = join(artifacts, name);
  await page.screenshot({ path: file });
  if (docs) {
    const dir = join(ROOT, 'docs', 'screenshots');
    await mkdir(dir, { recursive: true });
    await copyFile(file, join(dir, name));
  }
  return file;
}
