import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../server/src/infra/db/transaction.ts';
import { type Gridwatch, startGridwatch } from '../../server/src/main.ts';
import { verifyWebhook } from '../../server/src/webhooks/core/signature.ts';
import { availableBackends, testServerEnv, uniqueId } from '../support/backends.ts';
import { api, login, waitFor } from '../support/clients.ts';
import { DEMO_PASSWORD } from './alerts-fixtures.ts';

const SECRET = 'test-webhook-secret-0123456789';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A receiver on 127.0.0.1 that answers each request with the next status of `script` (then 200). */
async function aReceiver(script: number[] = [], port = 0) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = script.shift() ?? 200;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString(), answered });
      res.writeHead(answered, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    received,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (yet). */
async function aFreePort(): Promise<number> {
  const r = await aReceiver();
  await r.close();
  return r.port;
}

const fastRetries = {
  WEBHOOK_POLL_MS: '50',
  WEBHOOK_BACKOFF_BASE_MS: '50',
  WEBHOOK_BACKOFF_MAX_MS: '200',
  WEBHOOK_DEAD_AFTER_REFUSALS: '2',
  WEBHOOK_TIMEOUT_MS: '2000',
};

function signatureValid(r: Received): boolean {
  return verifyWebhook({
    secret: SECRET,
    body: r.body,
    timestamp: r.headers['x-gridwatch-timestamp'] as string,
    signature: r.headers['x-gridwatch-signature'] as string,
  }).ok;
}

describe.each(availableBackends())('webhooks (%s)', (backend) => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let gw: Gridwatch | undefined;
  type Receiver = Awaited<ReturnType<typeof aReceiver>>;
  const receivers: Receiver[] = [];
  let flaky: Receiver;
  let downPort: number;

  const start = async () => {
    gw = await startGridwatch({ env });
    return gw;
  };
  const row = async (id: number) =>
    (await gw!.app.db.query('SELECT * FROM webhook_outbox WHERE id = $1', [id])).rows[0];

  beforeAll(async () => {
    flaky = await aReceiver([500, 500]);
    const refusing = await aReceiver([400, 400, 400, 400]);
    receivers.push(flaky, refusing);
    downPort = await aFreePort();
    const targets = {
      flaky: { url: `http://127.0.0.1:${flaky.port}/hook`, secret: SECRET },
      refusing: { url: `http://127.0.0.1:${refusing.port}/hook`, secret: SECRET },
      down: { url: `http://127.0.0.1:${downPort}/hook`, secret: SECRET },
    };
    ({ env, cleanup } = await testServerEnv(backend, {
      ...fastRetries,
      WEBHOOK_TARGETS: JSON.stringify(targets),
    }));
    await start();
  });
  afterAll(async () => {
    await gw?.close().catch(() => {});
    for (const r of receivers) await r.close();
    await cleanup?.();
  });

  it('delivers a message failing twice (500) exactly once, signed, with its idempotency key', async () => {
    const key = uniqueId('case-outcome');
    const payload = { caseId: 'C-20261205-0001', result: '已办结 closed', satisfied: true };
    const { id, created } = await gw!.app.webhooks.enqueue({
      target: 'flaky',
      event: 'case.outcome',
      payload,
      idempotencyKey: key,
    });
    expect(created).toBe(true);

    const delivered = await waitFor(
      async () => {
        const r = await row(id);
        return r.state === 'delivered' ? r : null;
      },
      30_000,
      'delivered',
    );
    expect(delivered).toMatchObject({ attempts: 3, last_status: 200, last_error: null });
    expect(flaky.received.map((r) => r.answered)).toEqual([500, 500, 200]);
    for (const [i, r] of flaky.received.entries()) {
      expect(signatureValid(r)).toBe(true);
      expect(r.headers['idempotency-key']).toBe(key);
      expect(r.headers['x-gridwatch-event']).toBe('case.outcome');
      expect(r.headers['x-gridwatch-delivery']).toBe(String(id));
      expect(r.headers['x-gridwatch-attempt']).toBe(String(i + 1));
      expect(r.headers['content-type']).toBe('application/json');
      expect(JSON.parse(r.body)).toMatchObject({ event: 'case.outcome', idempotencyKey: key, data: payload });
    }
    // Every attempt sends the same bytes; a tampered body would not verify.
    expect(new Set(flaky.received.map((r) => r.body)).size).toBe(1);
    expect(
      signatureValid({ ...flaky.received[2]!, body: flaky.received[2]!.body.replace('C-2026', 'C-2027') }),
    ).toBe(false);

    // The same key again: the same message, nothing new to send.
    const again = await gw!.app.webhooks.enqueue({
      target: 'flaky',
      event: 'case.outcome',
      payload,
      idempotencyKey: key,
    });
    expect(again).toEqual({ id, created: false });
    expect((await row(id)).state).toBe('delivered');

    const metrics = await (await fetch(`${gw!.url}/metrics`)).text();
    expect(metrics).toMatch(/gridwatch_webhook_attempts_total\{result="delivered"\} [1-9]/);
    expect(metrics).toMatch(/gridwatch_webhook_attempts_total\{result="retried"\} [2-9]/);
    expect(metrics).toMatch(/gridwatch_webhook_outbox\{state="delivered"\} [1-9]/);
  });

  it('declares a message the receiver refuses (400) dead after the configured attempts, and shows it to commanders', async () => {
    const { id } = await gw!.app.webhooks.enqueue({
      target: 'refusing',
      event: 'case.outcome',
      payload: { caseId: 'C-2' },
      idempotencyKey: uniqueId('k'),
    });
    const dead = await waitFor(
      async () => {
        const r = await row(id);
        return r.state === 'dead' ? r : null;
      },
      30_000,
      'dead',
    );
    expect(dead).toMatchObject({ attempts: 2, last_status: 400, last_error: 'HTTP 400 after 2 attempts' });
    expect(dead.dead_at).toBeInstanceOf(Date);

    const admin = api(gw!.url, await login(gw!.url));
    const list = await admin.get(`/api/webhooks/outbox?state=dead&target=refusing`);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ id, state: 'dead', attempts: 2, lastStatus: 400, target: 'refusing' }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(SECRET);
    const metrics = await (await fetch(`${gw!.url}/metrics`)).text();
    expect(metrics).toMatch(/gridwatch_webhook_attempts_total\{result="dead"\} [1-9]/);

    const officer = api(gw!.url, await login(gw!.url, 'officer-s01', DEMO_PASSWORD));
    expect((await officer.get('/api/webhooks/outbox')).status).toBe(403);
    expect((await officer.post(`/api/webhooks/outbox/${id}/requeue`)).status).toBe(403);

    // A commander puts a dead message back (once its receiver is fixed); only dead ones.
    expect((await admin.post(`/api/webhooks/outbox/${id}/requeue`)).status).toBe(200);
    expect((await admin.post(`/api/webhooks/outbox/${id}/requeue`)).status).toBe(404);
  });

  it('writes nothing when the caller’s transaction rolls back, and refuses an unknown target', async () => {
    const key = uniqueId('rolled-back');
    await expect(
      inTransaction(gw!.app.db, async (tx) => {
        await gw!.app.webhooks.enqueue(
          { target: 'flaky', event: 'case.outcome', payload: {}, idempotencyKey: key },
          tx,
        );
        throw new Error('the case change failed');
      }),
    ).rejects.toThrow('the case change failed');
    const rows = await gw!.app.db.query('SELECT 1 FROM webhook_outbox WHERE idempotency_key = $1', [key]);
    expect(rows.rowCount).toBe(0);
    await expect(
      gw!.app.webhooks.enqueue({ target: 'nowhere', event: 'e', payload: {}, idempotencyKey: 'k' }),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/^target: unknown webhook target/),
    });
  });

  it('still delivers after a restart a message whose receiver was down', async () => {
    const key = uniqueId('across-restart');
    const { id } = await gw!.app.webhooks.enqueue({
      target: 'down',
      event: 'case.outcome',
      payload: { caseId: 'C-3' },
      idempotencyKey: key,
    });
    await waitFor(
      async () => (await row(id)).attempts >= 1 && (await row(id)).last_error,
      30_000,
      'a failed attempt',
    );
    expect((await row(id)).state).toBe('pending');
    await gw!.close();
    gw = undefined;

    const receiver = await aReceiver([], downPort);
    receivers.push(receiver);
    await start();
    const delivered = await waitFor(
      async () => {
        const r = await row(id);
        return r.state === 'delivered' ? r : null;
      },
      30_000,
      'delivered after restart',
    );
    expect(delivered.attempts).toBeGreaterThanOrEqual(2);
    const mine = receiver.received.filter((r) => r.headers['idempotency-key'] === key);
    expect(mine).toHaveLength(1);
    expect(signatureValid(mine[0]!)).toBe(true);
  });
});
