/**
 * Screenshots a running gridwatch's wall screen and console at 1920×1080, e.g. the demo:
 *   npx tsx tests/e2e/support/capture-screen.ts http://localhost:8080 docs/screenshots/demo
 * Signs in as the demo wall viewer and the commander (passwords from the environment or the demo defaults).
 */
import { launchBrowser } from './browser.ts';
import { signIn } from './pages.ts';

const [baseUrl = 'http://localhost:8080', prefix = 'tests/artifacts/capture'] = process.argv.slice(2);
const browser = await launchBrowser();
try {
  const wall = await signIn(
    await browser.newContext(),
    baseUrl,
    '/screen',
    'wall',
    process.env.WALL_PASSWORD ?? 'gridwatch-demo',
  );
  await wall.waitForTimeout(8000);
  await wall.screenshot({ path: `${prefix}-screen.png` });
  const console_ = await signIn(
    await browser.newContext(),
    baseUrl,
    '/console',
    'admin',
    process.env.ADMIN_PASSWORD ?? 'gridwatch-admin',
  );
  await console_.waitForTimeout(4000);
  await console_.screenshot({ path: `${prefix}-console.png` });
  console.log(`saved ${prefix}-screen.png and ${prefix}-console.png`);
} finally {
  await browser.close();
}
