import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableBackends, startTestServer, type TestServer } from '../support/backends.ts';
import { api, login, waitFor } from '../support/clients.ts';
import { aDevice, aFinding, DEMO_PASSWORD, S02, seedRegions } from './alerts-fixtures.ts';
import { aPhotoWithGps, aPng, filesUnder, hasGpsTag, upload } from './attachments-fixtures.ts';

describe.each(availableBackends())('attachments (%s)', (backend) => {
  let server: TestServer;
  let tokens: Record<'admin' | 'officer1' | 'officer2' | 'wall', string>;
  let alertS01: string;
  let alertS02: string;
  let blobDir: string;

  async function anAlert(street?: string): Promise<string> {
    const device = await aDevice(server.pool, { street });
    await server.gw.app.alerts.apply([aFinding(device)]);
    const { rows } = await server.pool.query<{ id: string }>('SELECT id FROM alerts WHERE device_id = $1', [
      device,
    ]);
    return rows[0]!.id;
  }

  const rowCount = async () =>
    (await server.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM attachments')).rows[0]!.n;

  /** Files in the blob store besides folders; the temp folder must be empty after every request. */
  const storedFiles = () => filesUnder(blobDir);

  const get = (path: string, token: string | undefined, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });

  beforeAll(async () => {
    server = await startTestServer(backend, { LOGIN_RATE_MAX: '100' });
    blobDir = join(server.env.DATA_DIR!, 'attachments');
    await seedRegions(server.pool);
    tokens = {
      admin: await login(server.url),
      officer1: await login(server.url, 'officer-s01', DEMO_PASSWORD),
      officer2: await login(server.url, 'officer-s02', DEMO_PASSWORD),
      wall: await login(server.url, 'wall', DEMO_PASSWORD),
    };
    alertS01 = await anAlert();
    alertS02 = await anAlert(S02);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('stores a photo without its EXIF (no GPS), with dimensions and a thumbnail, served with safe headers', async () => {
    const photo = await aPhotoWithGps(640, 480);
    expect(hasGpsTag((await sharp(photo).metadata()).exif)).toBe(true);

    const res = await upload(
      server.url,
      tokens.officer1,
      { ownerType: 'alert', ownerId: alertS01 },
      { filename: '现场.jpg', contentType: 'image/jpeg', data: photo },
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      ownerType: 'alert',
      ownerId: alertS01,
      kind: 'image',
      mime: 'image/jpeg',
      width: 640,
      height: 480,
      filename: '现场.jpg',
      uploadedBy: 'officer-s01',
    });
    expect(res.body.thumbnailId).toBeTruthy();
    const id = res.body.id as string;

    const file = await get(`/api/attachments/${id}`, tokens.officer1);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/jpeg');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-disposition')).toBe(
      `inline; filename="??.jpg"; filename*=UTF-8''${encodeURIComponent('现场.jpg')}`,
    );
    const served = Buffer.from(await file.arrayBuffer());
    expect(served.length).toBe(res.body.size);
    const meta = await sharp(served).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 640, height: 480 });
    expect(meta.exif).toBeUndefined();
    expect(served.includes(Buffer.from('PhoneCo'))).toBe(false);
    expect(served.includes(Buffer.from('Zhang San'))).toBe(false);

    const thumb = await get(`/api/attachments/${id}/thumbnail`, tokens.officer1);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    expect(thumb.headers.get('x-content-type-options')).toBe('nosniff');
    const thumbMeta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(thumbMeta).toMatchObject({ format: 'jpeg', width: 320, height: 240 });
    expect(thumbMeta.exif).toBeUndefined();

    // The wall screen (a viewer of the whole district) sees it; a byte range works too.
    const ranged = await get(`/api/attachments/${id}`, tokens.wall, { range: 'bytes=0-9' });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 0-9/${res.body.size}`);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(served.subarray(0, 10));

    const list = await api(server.url, tokens.officer1).get(
      `/api/attachments?ownerType=alert&ownerId=${alertS01}`,
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((a: { id: string }) => a.id)).toContain(id);
  });

  it('takes the owner from the query as well, and keeps a PNG a PNG', async () => {
    const { body: contentBody, contentType } = await import('./attachments-fixtures.ts').then(async (m) =>
      m.multipartBody(
        {},
        { filename: 'plan.png', contentType: 'application/octet-stream', data: await aPng() },
      ),
    );
    const res = await fetch(`${server.url}/api/attachments?ownerType=alert&ownerId=${alertS01}`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${tokens.admin}` },
      body: contentBody,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ mime: 'image/png', width: 200, height: 100, kind: 'image' });
  });

  it('refuses a text file named .jpg (415) and stores nothing', async () => {
    const before = { rows: await rowCount(), files: await storedFiles() };
    const res = await upload(
      server.url,
      tokens.officer1,
      { ownerType: 'alert', ownerId: alertS01 },
      {
        filename: 'photo.jpg',
        contentType: 'image/jpeg',
        data: Buffer.from('this is not a picture\n'.repeat(500)),
      },
    );
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ code: 'GW_UNSUPPORTED_MEDIA_TYPE' });
    expect(res.body.message).toMatch(/^file: content is not a recognised image or video/);
    expect(await rowCount()).toBe(before.rows);
    expect(await storedFiles()).toEqual(before.files);
  });

  it('refuses a 50 MB upload (413) without storing anything', async () => {
    const before = { rows: await rowCount(), files: await storedFiles() };
    const head = await aPhotoWithGps(32, 32);
    const big = new Uint8Array(50 * 1024 * 1024);
    big.set(head);
    const res = await upload(
      server.url,
      tokens.officer1,
      { ownerType: 'alert', ownerId: alertS01 },
      { filename: 'big.jpg', contentType: 'image/jpeg', data: big },
    );
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/^file: image larger than 15\.0 MB/);
    expect(await rowCount()).toBe(before.rows);
    expect(await storedFiles()).toEqual(before.files);
    // The server still answers on the next request.
    expect((await get(`/api/attachments?ownerType=alert&ownerId=${alertS01}`, tokens.officer1)).status).toBe(
      200,
    );
  });

  it('keeps a hostile file name only as neutralised metadata and serves it with a safe Content-Disposition', async () => {
    // Path traversal, NUL, a right-to-left override, a tab and a bell, an escaped quote, 300 CJK
    // characters. (A raw line break would end the part's header line: busboy cuts the name there.)
    const hostile = `../../../etc/pass\u0000wd\u202egpj.exe\t\u0007 \\"quoted\\" ${'长'.repeat(300)}.jpg`;
    const res = await upload(
      server.url,
      tokens.officer1,
      { ownerType: 'alert', ownerId: alertS01 },
      { filename: hostile, contentType: 'image/jpeg', data: await aPhotoWithGps(64, 64) },
    );
    expect(res.status).toBe(201);
    const name = res.body.filename as string;
    expect([...name].filter((ch) => ch < ' ' || '/\\"\u202e'.includes(ch))).toEqual([]);
    expect(name.startsWith('etc')).toBe(false);
    expect([...name].length).toBeLessThanOrEqual(120);
    expect(name.endsWith('.jpg')).toBe(true);
    // Stored under its generated id only: no file anywhere carries the uploaded name.
    const files = await storedFiles();
    expect(files.filter((f) => f.includes(res.body.id))).toHaveLength(2);
    expect(files.some((f) => /passwd|gpj|etc/.test(f))).toBe(false);

    const file = await get(`/api/attachments/${res.body.id}`, tokens.officer1);
    expect(file.status).toBe(200);
    const disposition = file.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^inline; filename="[^"]*"; filename\*=UTF-8''[A-Za-z0-9%._~!$&+^`|-]+$/);
    expect([...disposition].every((ch) => ch >= ' ' && ch <= '~')).toBe(true);
  });

  it('lets only users who may see the alert see or add its attachments', async () => {
    const before = (
      await server.pool.query<{ id: string }>('SELECT id FROM attachments WHERE owner_id = $1', [alertS02])
    ).rows.map((r) => r.id);
    const mine = await upload(
      server.url,
      tokens.officer2,
      { ownerType: 'alert', ownerId: alertS02 },
      { filename: 'b.jpg', contentType: 'image/jpeg', data: await aPhotoWithGps(100, 100) },
    );
    expect(mine.status).toBe(201);
    const id = mine.body.id as string;

    // Street 1's officer: not their street.
    expect((await get(`/api/attachments/${id}`, tokens.officer1)).status).toBe(403);
    expect((await get(`/api/attachments/${id}/thumbnail`, tokens.officer1)).status).toBe(403);
    expect((await get(`/api/attachments?ownerType=alert&ownerId=${alertS02}`, tokens.officer1)).status).toBe(
      403,
    );
    const intruder = await upload(
      server.url,
      tokens.officer1,
      { ownerType: 'alert', ownerId: alertS02 },
      { filename: 'x.jpg', contentType: 'image/jpeg', data: await aPhotoWithGps(10, 10) },
    );
    expect(intruder.status).toBe(403);
    // The wall screen sees it but, as a viewer, adds nothing.
    expect((await get(`/api/attachments/${id}`, tokens.wall)).status).toBe(200);
    const viewer = await upload(
      server.url,
      tokens.wall,
      { ownerType: 'alert', ownerId: alertS02 },
      { filename: 'x.jpg', contentType: 'image/jpeg', data: await aPhotoWithGps(10, 10) },
    );
    expect(viewer.status).toBe(403);
    // No session: 401.
    expect((await get(`/api/attachments/${id}`, undefined)).status).toBe(401);
    // An owner type nobody registered, an alert that does not exist, an attachment that does not.
    const unknownType = await upload(
      server.url,
      tokens.admin,
      { ownerType: 'spaceship', ownerId: 'x' },
      { filename: 'x.jpg', contentType: 'image/jpeg', data: await aPhotoWithGps(10, 10) },
    );
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.message).toMatch(/^ownerType: unknown owner type/);
    expect((await get('/api/attachments?ownerType=spaceship&ownerId=x', tokens.admin)).status).toBe(404);
    const noAlert = await upload(
      server.url,
      tokens.admin,
      { ownerType: 'alert', ownerId: '00000000-0000-4000-8000-000000000000' },
      { filename: 'x.jpg', contentType: 'image/jpeg', data: await aPhotoWithGps(10, 10) },
    );
    expect(noAlert.status).toBe(404);
    expect((await get('/api/attachments/00000000-0000-4000-8000-000000000000', tokens.admin)).status).toBe(
      404,
    );
    const missingOwner = await upload(
      server.url,
      tokens.admin,
      {},
      { filename: 'x.jpg', contentType: 'image/jpeg', data: await aPhotoWithGps(10, 10) },
    );
    expect(missingOwner.status).toBe(400);
    expect(missingOwner.body.message).toMatch(/^ownerType: required/);
    // Nothing half-stored by the refusals: this owner holds only what was accepted (a retry
    // of this test finds the first attempt's upload too), and no spool file is left.
    const rows = await server.pool.query('SELECT id FROM attachments WHERE owner_id = $1', [alertS02]);
    expect(rows.rows.map((r) => r.id).sort()).toEqual([...before, id].sort());
    await waitFor(
      async () => (await storedFiles()).filter((f) => f.startsWith('.tmp')).length === 0,
      10_000,
      'no spool file left in .tmp',
      200,
    );
  });
});
