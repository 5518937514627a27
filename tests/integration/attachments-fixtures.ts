import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

/** A JPEG photo carrying EXIF a phone would write: maker, owner and a GPS position. */
export async function aPhotoWithGps(width = 640, height = 480): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#3366aa' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'PhoneCo', Copyright: 'Zhang San' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '34/1 16/1 12/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '108/1 56/1 24/1',
      },
    })
    .toBuffer();
}

export async function aPng(width = 200, height = 100): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 128, b: 0, alpha: 0.5 } } })
    .png()
    .toBuffer();
}

/** The EXIF GPS IFD pointer tag (0x8825) in either byte order. */
export function hasGpsTag(exif: Buffer | undefined): boolean {
  if (!exif) return false;
  return exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88]));
}

export interface FilePart {
  /** Raw bytes of the file name as sent (hostile names go out exactly as given). */
  filename: string;
  contentType: string;
  data: Buffer | Uint8Array;
}

/**
 * A multipart/form-data body built by hand, so a test controls every byte of the
 * file name (a browser's FormData would escape quotes and line breaks).
 */
export function multipartBody(
  fields: Record<string, string>,
  file: FilePart,
): { body: Blob; contentType: string } {
  const boundary = `----gw${Math.random().toString(16).slice(2)}`;
  const parts: Array<Buffer | Uint8Array> = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.filename}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
    ),
    file.data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: new Blob(parts as BlobPart[]), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function upload(
  baseUrl: string,
  token: string | undefined,
  fields: Record<string, string>,
  file: FilePart,
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field by the tests
): Promise<{ status: number; body: any }> {
  const { body, contentType } = multipartBody(fields, file);
  const headers: Record<string, string> = { 'content-type': contentType };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${baseUrl}/api/attachments`, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed };
}

/** Every file (not folder) under `dir`, recursively, relative paths. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, prefix: string) => {
    let entries: Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) await walk(join(d, e.name), join(prefix, e.name));
      else out.push(join(prefix, e.name));
    }
  };
  await walk(dir, '');
  return out.sort();
}
