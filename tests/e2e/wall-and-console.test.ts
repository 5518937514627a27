import type { DeviceKind } from '@gridwatch/devices';
import { deviceTopic } from '@gridwatch/devices';
import type { MqttClient } from 'mqtt';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connectDevice, login, waitFor } from '../support/clients.ts';
import { type Browser, launchBrowser } from './support/browser.ts';
import { ensureDashboardBuilt } from './support/build-dashboard.ts';
import { CspWatch, reportedViolations } from './support/csp.ts';
import { type DistrictServer, startDistrictServer } from './support/district.ts';
import { DEMO_PASSWORD, screenshot, signIn } from './support/pages.ts';

/**
 * The wall screen and the duty console in real Chromium against a real server holding the
 * simulated district, with devices publishing over MQTT, all under the server's
 * Content-Security-Policy with the session only in the HttpOnly cookie.
 */
describe('wall screen and duty console', () => {
  let server: DistrictServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const clients: MqttClient[] = [];
  let wall: Page;
  let officer: Page;
  let seq = 1;
  const csp = new CspWatch();

  const newContext = async () => {
    const c = await browser.newContext();
    await csp.attach(c);
    contexts.push(c);
    return c;
  };

  /** What a script of the page can read: both storages and document.cookie. */
  const readableByScript = (page: Page) =>
    page.evaluate(() => {
      const dump = (s: Storage) => Object.fromEntries(Object.keys(s).map((k) => [k, s.getItem(k)]));
      return JSON.stringify({
        local: dump(localStorage),
        session: dump(sessionStorage),
        cookie: document.cookie,
      });
    });
  /** The page's session cookie is HttpOnly and SameSite=Strict, and no script of the page can read it. */
  const expectTokenOutOfReach = async (page: Page) => {
    const [cookie] = (await page.context().cookies()).filter((c) => c.name === 'gw_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookie!.value.length).toBeGreaterThan(20);
    const readable = await readableByScript(page);
    expect(readable).not.toContain(cookie!.value);
    expect(readable).not.toMatch(/token/i);
  };
  const publishStatus = (c: MqttClient, kind: DeviceKind, id: string) =>
    c.publishAsync(deviceTopic(kind, id, 'status'), JSON.stringify({ state: 'online', ts: Date.now() }), {
      qos: 1,
      retain: true,
    });

  beforeAll(async () => {
    ensureDashboardBuilt();
    server = await startDistrictServer({ deviceShare: 0.25 });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => {});
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });

  it('shows the district map, device markers and panels holding the registry figures', async () => {
    const wallToken = await login(server.url, 'wall', DEMO_PASSWORD);
    const asWall = api(server.url, wallToken);
    // A few devices of each kind come online over MQTT.
    const online = [
      ...server.devices.filter((d) => d.kind === 'charger').slice(0, 4),
      ...server.devices.filter((d) => d.kind !== 'charger').slice(0, 4),
    ];
    for (const d of online) {
      const c = await connectDevice(server.mqttUrl, d.kind, d.id);
      clients.push(c);
      await publishStatus(c, d.kind, d.id);
    }
    const total = async (q: string) => (await asWall.get(`/api/devices?limit=1&${q}`)).body.total as number;
    await waitFor(
      async () => (await total('online=true')) === online.length,
      15_000,
      'devices online in the registry',
    );

    wall = await signIn(await newContext(), server.url, '/screen', 'wall');
    await expectTokenOutOfReach(wall);
    await wall.waitForSelector('[data-testid=map][data-ready=true]', { timeout: 60_000 });
    const all = await total('');
    expect(all).toBe(server.devices.length);
    await waitFor(
      async () => Number(await wall.getAttribute('[data-testid=map]', 'data-devices')) === all,
      20_000,
      'a marker per device on the map',
    );
    expect(await wall.$('.maplibregl-canvas')).not.toBeNull();
    await waitFor(
      async () => (await wall.textContent('[data-testid=counter-devices] b'))?.trim() === String(all),
      10_000,
      'device counter equal to the registry',
    );
    for (const kind of ['camera', 'charger', 'locker']) {
      const row = `[data-testid=panel-online-by-kind] [data-kind=${kind}]`;
      await waitFor(
        async () =>
          Number(await wall.getAttribute(row, 'data-online')) === (await total(`kind=${kind}&online=true`)) &&
          Number(await wall.getAttribute(row, 'data-total')) === (await total(`kind=${kind}`)),
        10_000,
        `${kind} online/total equal to the registry`,
      );
    }
    expect(await wall.getAttribute('[data-testid=connection]', 'data-state')).toBe('online');
    await wall.waitForTimeout(1500); // let the map settle before the picture
    await screenshot(wall, 'screen.png');
  });

  it('shows a fault on the wall and in the console within 2 s; acknowledging it shows on the wall; another street never sees it', async () => {
    const charger = server.devices.find((d) => d.kind === 'charger' && d.id !== undefined)!;
    const device = (await api(server.url, server.adminToken).get(`/api/devices/${charger.id}`)).body;
    const street: string = device.path.street;
    const streetNo = street.slice(-2);
    const otherNo = streetNo === '01' ? '02' : '01';

    officer = await signIn(await newContext(), server.url, '/console', `officer-s${streetNo}`);
    await expectTokenOutOfReach(officer);
    const other = await signIn(await newContext(), server.url, '/console', `officer-s${otherNo}`);
    for (const p of [officer, other])
      await p.waitForSelector('[data-testid=connection][data-state=online]', { timeout: 20_000 });

    const c = await connectDevice(server.mqttUrl, 'charger', charger.id);
    clients.push(c);
    // Some telemetry before the fault, for the chart around the alert.
    const readings = 8;
    for (let i = 0; i < readings; i++) {
      const reading = {
        ts: Date.now() - (readings - i) * 30_000,
        seq: seq++,
        voltageV: 220,
        currentA: 4 + i * 0.3,
        powerKw: 0.9 + i * 0.07,
        energyKwh: 10 + i,
        temperatureC: 31 + i * 2,
        leakageMa: 2,
        ports: [{ port: 1, state: 'charging', currentA: 4 + i * 0.3 }],
      };
      await c.publishAsync(deviceTopic('charger', charger.id, 'telemetry'), JSON.stringify(reading), {
        qos: 1,
      });
    }
    const t0 = Date.now();
    await c.publishAsync(
      deviceTopic('charger', charger.id, 'event'),
      JSON.stringify({ ts: Date.now(), seq: seq++, type: 'smoke', port: 1 }),
      { qos: 1 },
    );
    const onWall = wall
      .waitForSelector(`[data-testid=latest-alerts] li[data-device="${charger.id}"]`, { timeout: 10_000 })
      .then(() => Date.now() - t0);
    const inConsole = officer
      .waitForSelector(`[data-testid=alert-queue] tr[data-device="${charger.id}"]`, { timeout: 10_000 })
      .then(() => Date.now() - t0);
    const [wallMs, consoleMs] = await Promise.all([onWall, inConsole]);
    console.log(`fault → wall ${wallMs} ms, → console ${consoleMs} ms`);
    expect(wallMs).toBeLessThan(2000);
    expect(consoleMs).toBeLessThan(2000);

    await officer.waitForSelector('[data-testid=critical-banner]', { timeout: 5000 });
    await wall.waitForSelector('.gw-pulse', { timeout: 5000 });
    await screenshot(officer, 'console.png');

    // The other street's officer: nothing in the queue, no banner.
    await other.waitForTimeout(1500);
    expect(await other.$(`[data-testid=alert-queue] tr[data-device="${charger.id}"]`)).toBeNull();
    expect(await other.$('[data-testid=critical-banner]')).toBeNull();

    const row = officer.locator(`[data-testid=alert-queue] tr[data-device="${charger.id}"]`).first();
    const alertId = await row.getAttribute('data-alert-id');
    await row.locator('input[name=remark]').fill('现场已派人核查 on site');
    await row.locator('[data-testid=ack]').click();
    await wall.waitForSelector(
      `[data-testid=latest-alerts] li[data-alert-id="${alertId}"][data-state=acknowledged]`,
      { timeout: 10_000 },
    );
    const stored = (await api(server.url, server.adminToken).get(`/api/alerts/${alertId}`)).body;
    expect(stored.state).toBe('acknowledged');
    expect(stored.ackRemark).toContain('现场已派人核查');
    await wall.waitForTimeout(4500); // one map redraw period: the grid turns red
    await screenshot(wall, 'screen-live.png');

    // The alert's detail: its history and the device's telemetry around it.
    await officer.click(`[data-testid=alert-queue] tr[data-alert-id="${alertId}"] td:nth-child(2) a`);
    await officer.waitForSelector('[data-testid=alert-history] li[data-action=acknowledged]', {
      timeout: 10_000,
    });
    await waitFor(
      async () => Number(await officer.getAttribute('[data-testid=telemetry-chart]', 'data-points')) > 0,
      10_000,
      'telemetry points around the alert',
    );
    await officer.waitForTimeout(500);
    await screenshot(officer, 'console-alert.png');
  });

  it('ran the wall and the console under the CSP without a single violation', async () => {
    // The pages above loaded the map (worker included), the charts, the socket and the alarm.
    expect(await officer.getAttribute('html', 'data-alarm-beeps')).toMatch(/^[1-9]/);
    expect(csp.violations).toEqual([]);
    expect(csp.consoleMessages).toEqual([]);
    // Workers' violations reach only the report endpoint.
    expect(await reportedViolations(server.url)).toBe(0);
  });

  it('reconnects by itself after the server is killed and restarted, and shows the current state', async () => {
    for (const c of clients.splice(0)) await c.endAsync(true).catch(() => {});
    await server.kill();
    await wall.waitForSelector('[data-testid=connection][data-state=offline]', { timeout: 15_000 });
    await screenshot(wall, 'screen-offline.png', false);
    await server.start();

    // Meanwhile the state changes: the acknowledged alert is resolved, a new fault arrives.
    const admin = api(server.url, await login(server.url));
    const open = (await admin.get('/api/alerts?state=acknowledged')).body.items as Array<{ id: string }>;
    expect(open.length).toBeGreaterThan(0);
    for (const a of open)
      expect((await admin.post(`/api/alerts/${a.id}/resolve`, { remark: 'done' })).status).toBe(200);
    const locker = server.devices.find((d) => d.kind === 'locker')!;
    const c = await connectDevice(server.mqttUrl, 'locker', locker.id);
    clients.push(c);
    await c.publishAsync(
      deviceTopic('locker', locker.id, 'event'),
      JSON.stringify({ ts: Date.now(), seq: seq++, type: 'forced-open' }),
      { qos: 1 },
    );

    await wall.waitForSelector('[data-testid=connection][data-state=online]', { timeout: 30_000 });
    await wall.waitForSelector(`[data-testid=latest-alerts] li[data-device="${locker.id}"]`, {
      timeout: 15_000,
    });
    for (const a of open)
      await wall.waitForSelector(
        `[data-testid=latest-alerts] li[data-alert-id="${a.id}"][data-state=resolved]`,
        { timeout: 15_000 },
      );
    const asWall = api(server.url, await login(server.url, 'wall', DEMO_PASSWORD));
    const openTotal = async () => (await asWall.get('/api/alerts?state=open&limit=1')).body.total as number;
    await waitFor(
      async () =>
        (await wall.textContent('[data-testid=counter-open] b'))?.trim() === String(await openTotal()),
      15_000,
      'open-alert counter equal to the API after the restart',
    );
  });

  it('blocks an injected inline script, and both the page and the server hear of it', async () => {
    const before = csp.violations.length;
    const ran = await wall.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__gwInjected = true';
      document.head.append(s);
      return (window as unknown as { __gwInjected?: boolean }).__gwInjected === true;
    });
    expect(ran).toBe(false);
    await waitFor(() => csp.violations.length > before, 5000, 'the securitypolicyviolation event');
    expect(csp.violations.slice(before)).toEqual([
      expect.objectContaining({ directive: 'script-src-elem', blocked: 'inline' }),
    ]);
    expect(csp.violations.slice(0, before)).toEqual([]);
    await waitFor(
      async () => (await reportedViolations(server.url)) === 1,
      10_000,
      'the report at /csp-reports',
    );
    // The console logs out through its cookie (Origin checked): the session is gone for the page.
    await officer.click('[data-testid=logout]');
    await officer.waitForSelector('[data-testid=login-form]', { timeout: 10_000 });
    expect(await officer.evaluate(async () => (await fetch('/api/auth/me')).status)).toBe(401);
    expect(csp.violations.slice(before + 1)).toEqual([]);
    expect(csp.consoleMessages.filter((m) => !/inline/.test(m))).toEqual([]);
  });
});
